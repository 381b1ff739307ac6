// Small pieces the result views share: how a probability reads, how a node is made, how a
// 28x28 input is painted.

export const SIDE = 28;

/** One decimal, without rounding a tiny chance to 0.0% or a near-certainty to 100.0%. */
export function percent(p) {
  const value = p * 100;
  if (value > 0 && value < 0.1) return "<0.1%";
  if (value > 99.9 && value < 100) return ">99.9%";
  return `${value.toFixed(1)}%`;
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Paints the 784 grey values the model classified (or black, for none) onto a 28x28 canvas. */
export function drawInput(canvas, input) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(SIDE, SIDE);
  const valid = Array.isArray(input) && input.length === SIDE * SIDE;
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = valid ? Math.max(0, Math.min(255, input[i] | 0)) : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

/** The three most likely digits as list items: "7 98.2%". */
export function topItems(top) {
  return (Array.isArray(top) ? top.slice(0, 3) : []).map(({ digit, probability }) => {
    const item = element("li");
    item.append(element("strong", "", String(digit)), ` ${percent(probability)}`);
    return item;
  });
}

/** "Model v3 · 4.2 ms on the server", or nothing when the answer does not say. */
export function metaLine(answer) {
  const micros = answer.timings && answer.timings.totalMicros;
  const millis = micros ? ` · ${(micros / 1000).toFixed(1)} ms on the server` : "";
  return answer.modelVersion ? `Model ${answer.modelVersion}${millis}` : "";
}
