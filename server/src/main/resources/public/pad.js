// The drawing pad. Strokes are kept as points (in units of the canvas's CSS width), so undo can
// redraw what is left and a resize can redraw at the new size; both redraw with the very calls
// that drew the strokes live, so undoing a stroke gives back exactly the pixels from before it.

// A 20 px pen on a 280 px high canvas gives MNIST-like strokes (2-3 px) once the server scales
// the ink to 20 px; lower canvases (a phone's number mode) get a proportionally thinner pen.
const PEN_PER_HEIGHT = 20 / 280;
const MIN_PEN = 6;

const round = (value) => Math.round(value * 10) / 10;

/**
 * A pad on {@code canvas}. {@code onChange(reason)} hears of every change to the drawing:
 * "point" (a stroke grew), "end" (a stroke ended), "undo", "clear" and "restore".
 */
export function createPad(canvas, onChange) {
  const ctx = canvas.getContext("2d");
  const strokes = [];
  let active = null;
  let width = 0;
  let height = 0;
  let version = 0;

  const css = (p) => ({ x: p.x * width, y: p.y * width });
  const midpoint = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

  // White ink on black in both themes: the MNIST look, and what the 28x28 preview shows back.
  function paintBackground() {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
  }

  function applyPen() {
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "#fff";
    ctx.lineWidth = Math.max(MIN_PEN, height * PEN_PER_HEIGHT);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  // A stroke is a dot, then quadratic curves through the midpoints of successive samples (the
  // samples are the control points), then a straight end to the last sample: smooth at any speed.
  function dot(stroke) {
    const p = css(stroke.points[0]);
    ctx.beginPath();
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fill();
  }

  function curve(stroke, i) {
    const from = i === 1 ? stroke.points[0] : midpoint(stroke.points[i - 2], stroke.points[i - 1]);
    const to = midpoint(stroke.points[i - 1], stroke.points[i]);
    const [a, c, b] = [css(from), css(stroke.points[i - 1]), css(to)];
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.quadraticCurveTo(c.x, c.y, b.x, b.y);
    ctx.stroke();
  }

  function tail(stroke) {
    const n = stroke.points.length;
    const from = n === 1 ? stroke.points[0] : midpoint(stroke.points[n - 2], stroke.points[n - 1]);
    const [a, b] = [css(from), css(stroke.points[n - 1])];
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  function render(stroke, finished) {
    dot(stroke);
    for (let i = 1; i < stroke.points.length; i++) curve(stroke, i);
    if (finished) tail(stroke);
  }

  function redraw() {
    paintBackground();
    strokes.forEach((stroke) => render(stroke, stroke !== active));
  }

  function changed(reason) {
    version++;
    onChange(reason);
  }

  // Sizes the backing store for the device's pixel ratio and redraws the strokes at the new size.
  function resize() {
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth;
    const cssHeight = canvas.clientHeight;
    const pixels = [Math.round(cssWidth * ratio), Math.round(cssHeight * ratio)];
    if (cssWidth === 0 || (cssWidth === width && cssHeight === height
        && canvas.width === pixels[0] && canvas.height === pixels[1])) return;
    width = cssWidth;
    height = cssHeight;
    [canvas.width, canvas.height] = pixels;
    ctx.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
    applyPen();
    redraw();
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    const scale = box.width || 1;
    return { x: (event.clientX - box.left) / scale, y: (event.clientY - box.top) / scale };
  }

  function finish(event) {
    if (!active || event.pointerId !== active.pointerId) return;
    tail(active);
    active = null;
    changed("end");
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    canvas.focus({ preventScroll: true });
    canvas.setPointerCapture(event.pointerId);
    active = { pointerId: event.pointerId, points: [point(event)] };
    strokes.push(active);
    dot(active);
    changed("point");
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!active || event.pointerId !== active.pointerId) return;
    event.preventDefault();
    // A fast stroke delivers many samples per frame; the coalesced ones keep its curves round.
    const samples = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    (samples.length ? samples : [event]).forEach((sample) => {
      active.points.push(point(sample));
      curve(active, active.points.length - 1);
    });
    changed("point");
  });
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("lostpointercapture", finish);

  return {
    resize,
    hasInk: () => strokes.length > 0,
    strokeCount: () => strokes.length,
    /** Grows with every change, so an answer can be matched to the drawing it was asked for. */
    version: () => version,
    /** Removes the last stroke (the one being drawn, if any); false when there was none. */
    undo() {
      if (strokes.length === 0) return false;
      const drawing = active;
      active = null;
      strokes.pop();
      if (drawing && canvas.hasPointerCapture(drawing.pointerId)) canvas.releasePointerCapture(drawing.pointerId);
      redraw();
      changed("undo");
      return true;
    },
    clear() {
      strokes.length = 0;
      active = null;
      paintBackground();
      changed("clear");
    },
    /** The strokes as drawn, in CSS pixels of the canvas: [[[x, y], ...], ...] (undo takes them back too). */
    strokes: () => strokes.map((stroke) => stroke.points.map((p) => [round(p.x * width), round(p.y * width)])),
    /** The drawing as a PNG data URL, and its size in pixels (answers' boxes are in these). */
    snapshot: () => ({ image: canvas.toDataURL("image/png"), size: { width: canvas.width, height: canvas.height } }),
    size: () => ({ width: canvas.width, height: canvas.height }),
    /** The finished strokes and the canvas's CSS size, to {@link restore} on a canvas of another shape. */
    drawing: () => ({
      width,
      height,
      strokes: strokes.filter((s) => s !== active).map((s) => s.points.map((p) => ({ x: p.x * width, y: p.y * width }))),
    }),
    /** Replaces the drawing with {@code drawing}, scaled to fit this canvas and centred in it. */
    restore(drawing) {
      const scale = Math.min(width / drawing.width, height / drawing.height);
      const dx = (width - drawing.width * scale) / 2;
      const dy = (height - drawing.height * scale) / 2;
      active = null;
      strokes.length = 0;
      drawing.strokes.forEach((points) => strokes.push({
        pointerId: null,
        points: points.map((p) => ({ x: (p.x * scale + dx) / width, y: (p.y * scale + dy) / width })),
      }));
      redraw();
      changed("restore");
    },
  };
}
