// The single-digit answer: the digit, its confidence and top three, the ten-bar chart, the 28x28
// input and the correction form. It shows one answer at a time and can be emptied completely.

import { callApi } from "./api.js";
import { drawInput, element, metaLine, percent, topItems } from "./format.js";

export const PREDICTIONS = "/api/v1/predictions";

export function isPrediction(body) {
  return body !== null && typeof body === "object" && Number.isInteger(body.digit)
    && Array.isArray(body.probabilities) && body.probabilities.length === 10;
}

// Ten DOM bars; heights are set through the CSSOM, which the CSP allows (style attributes it does not).
function buildChart(container) {
  const bars = [];
  for (let d = 0; d < 10; d++) {
    const bar = element("div", "bar");
    bar.setAttribute("role", "listitem");
    bar.dataset.digit = String(d);
    const value = element("span", "bar-value");
    const track = element("span", "bar-track");
    const fill = element("span", "bar-fill");
    const label = element("span", "bar-label", String(d));
    value.setAttribute("aria-hidden", "true");
    label.setAttribute("aria-hidden", "true");
    track.append(fill);
    bar.append(value, track, label);
    container.append(bar);
    bars.push({ bar, value, fill });
  }

  function show(probabilities, top) {
    bars.forEach(({ bar, value, fill }, d) => {
      const p = probabilities ? probabilities[d] : 0;
      const text = percent(p);
      bar.dataset.probability = String(p);
      bar.dataset.top = String(probabilities !== null && d === top);
      bar.title = `Digit ${d}: ${text}`;
      bar.setAttribute("aria-label", `Digit ${d}: ${text}`);
      value.textContent = probabilities && p >= 0.005 ? text : "";
      fill.style.height = `${(p * 100).toFixed(2)}%`;
    });
  }

  show(null, -1);
  return { show, reset: () => show(null, -1) };
}

/**
 * The view over the page's result card. {@code el} holds its elements by id; onCorrected(label)
 * hears of a correction the server recorded; onError(message) of one it did not.
 */
export function createDigitView(el, { onCorrected, onError }) {
  const chart = buildChart(el.chart);
  let current = null;

  function resetCorrection(enabled) {
    el.correctLabel.value = "";
    el.correctLabel.disabled = !enabled;
    el.sendLabel.disabled = true;
    el.labelStatus.textContent = "";
  }

  async function sendLabel() {
    const label = el.correctLabel.value;
    const answer = current;
    if (!answer || !answer.id || label === "") return;
    el.sendLabel.disabled = true;
    el.labelStatus.textContent = "Sending…";
    try {
      await callApi("PUT", `${PREDICTIONS}/${encodeURIComponent(answer.id)}/label`, { label: Number(label) });
      if (current !== answer) return;
      el.labelStatus.textContent = `Thanks, recorded as ${label}`;
      onCorrected(label);
    } catch (error) {
      if (current !== answer) return;
      el.labelStatus.textContent = "";
      onError(error.message);
    } finally {
      if (current === answer) el.sendLabel.disabled = el.correctLabel.value === "";
    }
  }

  el.sendLabel.addEventListener("click", sendLabel);
  el.correctLabel.addEventListener("change", () => {
    el.sendLabel.disabled = el.correctLabel.value === "" || !current;
    el.labelStatus.textContent = "";
  });

  return {
    isAnswer: isPrediction,
    /** What "Your digits" records for this answer. */
    entry: (prediction) => String(prediction.digit),
    /** Shows the answer; returns the sentence to announce. */
    show(prediction) {
      current = prediction;
      el.result.dataset.state = "ready";
      el.result.dataset.stale = "false";
      el.result.dataset.predictionId = prediction.id || "";
      el.digit.textContent = String(prediction.digit);
      const confidence = typeof prediction.confidence === "number"
        ? prediction.confidence : prediction.probabilities[prediction.digit];
      el.confidence.textContent = `${percent(confidence)} confident`;
      el.top3.replaceChildren(...topItems(prediction.top));
      chart.show(prediction.probabilities, prediction.digit);
      drawInput(el.preview, prediction.input);
      el.meta.textContent = metaLine(prediction);
      resetCorrection(Boolean(prediction.id));
      return `Predicted ${prediction.digit}, ${percent(confidence)} confident.`;
    },
    /** Marks the answer as about an older drawing, until the next answer or reset. */
    setStale(stale) {
      el.result.dataset.stale = String(stale && current !== null);
    },
    reset() {
      current = null;
      el.result.dataset.state = "empty";
      el.result.dataset.stale = "false";
      delete el.result.dataset.predictionId;
      el.digit.textContent = "";
      el.confidence.textContent = "";
      el.top3.replaceChildren();
      el.meta.textContent = "";
      chart.reset();
      drawInput(el.preview, null);
      resetCorrection(false);
    },
  };
}
