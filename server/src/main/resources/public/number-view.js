// The number answer: the number, its confidence, a box over the drawing for each digit, and for
// each digit its 28x28 input and top three. Any single digit can be corrected: the whole
// corrected number goes to the label route.

import { callApi } from "./api.js";
import { drawInput, element, metaLine, percent, SIDE, topItems } from "./format.js";

export const NUMBERS = "/api/v1/numbers";

function isBox(box) {
  return box !== null && typeof box === "object"
    && ["x", "y", "width", "height"].every((key) => Number.isFinite(box[key]));
}

export function isNumber(body) {
  return body !== null && typeof body === "object" && typeof body.number === "string"
    && Array.isArray(body.digits) && body.digits.length === body.number.length && body.digits.length > 0
    && body.digits.every((d) => d && Number.isInteger(d.digit) && isBox(d.box));
}

/**
 * The view over the number card and the box overlay. {@code el} holds the elements by id;
 * onCorrected(number) hears of a correction the server recorded, onError(message) of one it did not.
 */
export function createNumberView(el, { onCorrected, onError }) {
  let current = null;
  let fixing = -1;

  const keys = Array.from({ length: 10 }, (_, d) => {
    const key = element("button", "button small fix-key", String(d));
    key.type = "button";
    key.dataset.digit = String(d);
    key.addEventListener("click", () => correct(d));
    return key;
  });
  el.fixKeys.replaceChildren(...keys);
  el.fixCancel.addEventListener("click", () => closeFix(true));
  el.numberFix.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    closeFix(true);
  });

  const items = () => Array.from(el.numberDigits.children);

  function closeFix(refocus) {
    const index = fixing;
    fixing = -1;
    el.numberFix.hidden = true;
    items().forEach((item) => item.querySelector("button").setAttribute("aria-expanded", "false"));
    if (refocus && index >= 0 && items()[index]) items()[index].querySelector("button").focus();
  }

  function openFix(index) {
    if (!current || !current.answer.id) return;
    fixing = index;
    items().forEach((item, i) => item.querySelector("button").setAttribute("aria-expanded", String(i === index)));
    el.fixPrompt.textContent = `Digit ${index + 1} of ${current.digits.length}, read as ${current.digits[index]}, is really:`;
    el.numberFix.hidden = false;
    el.numberStatus.textContent = "";
    keys[Number(current.digits[index])].focus();
  }

  async function correct(digit) {
    const shown = current;
    const index = fixing;
    if (!shown || index < 0) return;
    const digits = shown.digits.slice();
    digits[index] = String(digit);
    const label = digits.join("");
    el.numberStatus.textContent = "Sending…";
    closeFix(true);
    try {
      await callApi("PUT", `${NUMBERS}/${encodeURIComponent(shown.answer.id)}/label`, { label });
      if (current !== shown) return;
      shown.digits = digits;
      const item = items()[index];
      item.dataset.corrected = String(digits[index] !== String(shown.answer.digits[index].digit));
      item.querySelector(".digit-pick").textContent = digits[index];
      el.number.textContent = label;
      el.numberResult.dataset.corrected = String(label !== shown.answer.number);
      el.numberStatus.textContent = `Thanks, recorded as ${label}`;
      onCorrected(label);
    } catch (error) {
      if (current !== shown) return;
      el.numberStatus.textContent = "";
      onError(error.message);
    }
  }

  function digitItem(digit, index, count) {
    const item = element("li", "number-digit");
    item.dataset.index = String(index);
    item.dataset.corrected = "false";
    const pick = element("button", "digit-pick", String(digit.digit));
    pick.type = "button";
    pick.setAttribute("aria-expanded", "false");
    pick.setAttribute("aria-controls", "number-fix");
    const confidence = typeof digit.confidence === "number" ? digit.confidence
      : (Array.isArray(digit.probabilities) ? digit.probabilities[digit.digit] : NaN);
    const sure = Number.isFinite(confidence) ? `, ${percent(confidence)} confident` : "";
    pick.setAttribute("aria-label", `Digit ${index + 1} of ${count}: ${digit.digit}${sure}. Correct it`);
    pick.addEventListener("click", () => (fixing === index ? closeFix(true) : openFix(index)));
    const input = element("canvas", "digit-input");
    input.width = SIDE;
    input.height = SIDE;
    input.setAttribute("role", "img");
    input.setAttribute("aria-label", `The 28 by 28 pixel image digit ${index + 1} became`);
    drawInput(input, digit.input);
    const top = element("ol", "top3 small-top3");
    top.setAttribute("aria-label", `Three most likely readings of digit ${index + 1}`);
    top.append(...topItems(digit.top));
    item.append(pick, input, top);
    return item;
  }

  // Boxes are in the posted image's pixels; as shares of its size they sit right at any canvas size.
  function boxElement(box, index, size) {
    const node = element("div", "digit-box");
    node.dataset.index = String(index);
    node.style.left = `${(100 * box.x) / size.width}%`;
    node.style.top = `${(100 * box.y) / size.height}%`;
    node.style.width = `${(100 * box.width) / size.width}%`;
    node.style.height = `${(100 * box.height) / size.height}%`;
    node.append(element("span", "digit-box-label", String(index + 1)));
    return node;
  }

  return {
    isAnswer: isNumber,
    entry: (answer) => answer.number,
    /** Shows the answer to a drawing posted at {@code size} ({width, height} in pixels). */
    show(answer, size) {
      closeFix(false);
      current = { answer, digits: answer.digits.map((d) => String(d.digit)) };
      el.numberResult.dataset.state = "ready";
      el.numberResult.dataset.stale = "false";
      el.numberResult.dataset.corrected = "false";
      el.numberResult.dataset.numberId = answer.id || "";
      el.number.textContent = answer.number;
      el.numberConfidence.textContent = typeof answer.confidence === "number"
        ? `${percent(answer.confidence)} confident` : "";
      const count = answer.digits.length;
      el.numberDigits.replaceChildren(...answer.digits.map((d, i) => digitItem(d, i, count)));
      el.boxes.replaceChildren(...answer.digits.map((d, i) => boxElement(d.box, i, size)));
      el.boxes.dataset.stale = "false";
      el.numberMeta.textContent = metaLine(answer);
      el.numberStatus.textContent = "";
      const sure = typeof answer.confidence === "number" ? `, ${percent(answer.confidence)} confident` : "";
      return `Read ${answer.number}${sure}.`;
    },
    setStale(stale) {
      const value = String(stale && current !== null);
      el.numberResult.dataset.stale = value;
      el.boxes.dataset.stale = value;
    },
    reset() {
      closeFix(false);
      current = null;
      el.numberResult.dataset.state = "empty";
      el.numberResult.dataset.stale = "false";
      el.numberResult.dataset.corrected = "false";
      delete el.numberResult.dataset.numberId;
      el.number.textContent = "";
      el.numberConfidence.textContent = "";
      el.numberDigits.replaceChildren();
      el.boxes.replaceChildren();
      el.numberMeta.textContent = "";
      el.numberStatus.textContent = "";
    },
  };
}
