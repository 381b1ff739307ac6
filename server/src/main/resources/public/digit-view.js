// The single-digit answer: the verdict, the digit, its confidence and top three, the ten-bar
// chart, the 28x28 input (with its "why" overlay) and the correction form. It shows one answer at
// a time and can be emptied completely.

import { callApi } from "./api.js";
import { drawInput, element, metaLine, percent, topItems } from "./format.js";
import { createWhyView } from "./why-view.js";

export const PREDICTIONS = "/api/v1/predictions";

// What each verdict says beside the digit. Only "digit" and "unsure" show one (an unsure one as a
// guess); an answer without a verdict (an older server) reads as "digit".
const VERDICTS = {
  digit: { shows: true, note: "" },
  unsure: { shows: true, note: "Unsure: the best guess, not a clear digit. Try drawing it again." },
  several: { shows: false, note: "This looks like several digits, not one." },
  too_small: { shows: false, note: "Too small or too faint to read. Draw the digit larger." },
};

export function isPrediction(body) {
  return body !== null && typeof body === "object" && Number.isInteger(body.digit)
    && Array.isArray(body.probabilities) && body.probabilities.length === 10
    && (body.verdict === undefined || Object.hasOwn(VERDICTS, body.verdict));
}

const verdictOf = (prediction) => prediction.verdict || "digit";

function announcement(verdict, digit, confidence) {
  switch (verdict) {
    case "unsure": return `Unsure: best guess ${digit}, ${percent(confidence)}.`;
    case "several": return "This looks like several digits. You can read it as a number.";
    case "too_small": return "Too small or too faint to read.";
    default: return `Predicted ${digit}, ${percent(confidence)} confident.`;
  }
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
export function createDigitView(el, { onCorrected, onError, onReadAsNumber }) {
  const chart = buildChart(el.chart);
  const why = createWhyView(el, PREDICTIONS);
  let current = null;
  el.readAsNumber.addEventListener("click", () => onReadAsNumber());

  function resetCorrection(enabled) {
    el.correctLabel.value = "";
    el.correctLabel.disabled = !enabled;
    el.sendLabel.disabled = true;
    el.labelStatus.textContent = "";
  }

  // While a correction is on its way Send is aria-disabled, not disabled: a disabled button
  // would drop the keyboard focus to the body.
  let sending = false;

  function setSending(value) {
    sending = value;
    el.sendLabel.setAttribute("aria-disabled", String(value));
  }

  async function sendLabel() {
    const label = el.correctLabel.value;
    const answer = current;
    if (sending || !answer || !answer.id || label === "") return;
    setSending(true);
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
      setSending(false);
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
    /** What "Your digits" records for this answer: null for one that reads no digit. */
    entry: (prediction) => (VERDICTS[verdictOf(prediction)].shows ? String(prediction.digit) : null),
    /** Shows the answer; returns the sentence to announce. */
    show(prediction) {
      current = prediction;
      const verdict = verdictOf(prediction);
      const { shows, note } = VERDICTS[verdict];
      el.result.dataset.state = "ready";
      el.result.dataset.stale = "false";
      el.result.dataset.verdict = verdict;
      el.result.dataset.predictionId = prediction.id || "";
      const confidence = typeof prediction.confidence === "number"
        ? prediction.confidence : prediction.probabilities[prediction.digit];
      el.digit.textContent = shows ? String(prediction.digit) : "";
      el.confidence.textContent = !shows ? ""
        : verdict === "unsure" ? `Unsure, ${percent(confidence)}` : `${percent(confidence)} confident`;
      el.verdictNote.textContent = verdict === "several" && /^\d{2,}$/.test(prediction.number || "")
        ? `This looks like several digits (perhaps ${prediction.number}), not one.` : note;
      el.readAsNumber.hidden = verdict !== "several";
      el.top3.replaceChildren(...(shows ? topItems(prediction.top) : []));
      if (shows) chart.show(prediction.probabilities, prediction.digit);
      else chart.reset();
      drawInput(el.preview, prediction.input);
      why.show(shows ? prediction : null);
      el.meta.textContent = metaLine(prediction);
      resetCorrection(Boolean(prediction.id));
      return announcement(verdict, prediction.digit, confidence);
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
      delete el.result.dataset.verdict;
      el.digit.textContent = "";
      el.confidence.textContent = "";
      el.verdictNote.textContent = "";
      el.readAsNumber.hidden = true;
      why.show(null);
      el.top3.replaceChildren();
      el.meta.textContent = "";
      chart.reset();
      drawInput(el.preview, null);
      resetCorrection(false);
    },
  };
}
