// The "why" view: for the answer on screen, which parts of the 28x28 input moved the model to its
// digit (occlusion sensitivity, computed by the server in one batch), painted over the input.
// A server that cannot say (Kafka mode answers 501, an older server 404) loses the button for
// the rest of the visit; any other failure is shown beside it and the button stays.

import { callApi } from "./api.js";
import { SIDE } from "./format.js";

// Warm: occluding this ink lowered the answer's probability (it spoke for the digit); cool: raised it.
const FOR = [255, 140, 26];
const AGAINST = [58, 160, 255];
const UNAVAILABLE = new Set([404, 405, 501]);

export function isWhy(body) {
  return body !== null && typeof body === "object" && Array.isArray(body.heatmap)
    && body.heatmap.length === SIDE * SIDE && body.heatmap.every(Number.isFinite);
}

/** Paints the heatmap onto the 28x28 overlay: colour by sign, opacity by size against the largest. */
function paint(canvas, heatmap) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(SIDE, SIDE);
  const largest = Math.max(...heatmap.map(Math.abs)) || 1;
  heatmap.forEach((value, i) => {
    const [r, g, b] = value >= 0 ? FOR : AGAINST;
    image.data.set([r, g, b, Math.round((220 * Math.abs(value)) / largest)], i * 4);
  });
  ctx.putImageData(image, 0, 0);
}

/** The view over the why button, its overlay, legend and status line, for one answer at a time. */
export function createWhyView(el, predictionsUrl) {
  let current = null;
  let available = true;

  function hide() {
    el.whyOverlay.hidden = true;
    el.whyLegend.hidden = true;
    el.why.setAttribute("aria-pressed", "false");
  }

  async function ask() {
    const answer = current;
    if (!answer) return;
    if (el.why.getAttribute("aria-pressed") === "true") {
      hide();
      return;
    }
    el.whyStatus.textContent = "Working out why…";
    try {
      const body = await callApi("GET", `${predictionsUrl}/${encodeURIComponent(answer.id)}/why`);
      if (current !== answer) return;
      if (!isWhy(body)) throw new Error("The server sent a why answer this page does not understand.");
      paint(el.whyOverlay, body.heatmap);
      el.whyDigit.textContent = String(answer.digit);
      el.whyOverlay.hidden = false;
      el.whyLegend.hidden = false;
      el.why.setAttribute("aria-pressed", "true");
      el.whyStatus.textContent = "";
    } catch (error) {
      if (current !== answer) return;
      if (UNAVAILABLE.has(error.status)) {
        available = false;
        el.why.hidden = true;
        el.whyStatus.textContent = "This server cannot show why.";
      } else {
        el.whyStatus.textContent = error.message;
      }
    }
  }

  el.why.addEventListener("click", ask);

  return {
    /** A new answer (or none): the overlay belongs to the old one. */
    show(answer) {
      current = answer && answer.id ? answer : null;
      hide();
      el.whyStatus.textContent = "";
      el.why.hidden = !available;
      el.why.disabled = current === null;
    },
  };
}
