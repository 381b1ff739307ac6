// Stratus drawing page: wires the pad, live prediction, the digit and number answers, the mode
// switch, "Your digits" and the keyboard. Plain ES modules, no build step; everything is served
// from this origin (see the server's CSP).

import { callApi, FriendlyError } from "./api.js";
import { createDigitView, PREDICTIONS } from "./digit-view.js";
import { createDrawingBody } from "./drawing-body.js";
import { createLive } from "./live.js";
import { createNumberView, NUMBERS } from "./number-view.js";
import { createPad } from "./pad.js";

const MODE_KEY = "stratus.mode";
const MODES = {
  digit: {
    url: PREDICTIONS,
    canvasLabel: "Drawing area: draw one digit from 0 to 9",
    empty: "Draw a digit first: the canvas is empty.",
  },
  number: {
    url: NUMBERS,
    canvasLabel: "Drawing area: write a number, its digits from left to right",
    empty: "Draw a number first: the canvas is empty.",
  },
};

const $ = (id) => document.getElementById(id);
// Every element the script touches, by id; "clear-canvas" becomes el.clearCanvas.
const el = Object.fromEntries([
  "canvas", "predict", "undo", "clear-canvas", "clear-predictions", "buffer", "result",
  "digit", "confidence", "top3", "chart", "preview", "error",
  "correct-label", "send-label", "label-status", "meta", "announce", "server-status",
  "mode-digit", "mode-number", "number-result", "number", "number-confidence", "number-digits",
  "boxes", "number-fix", "fix-prompt", "fix-keys", "fix-cancel", "number-status", "number-meta",
  "verdict-note", "read-as-number", "why", "why-overlay", "why-legend", "why-digit", "why-status",
].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

// ---------- server status and errors ----------

// The pill follows the server by itself: asked again every 5 s while it is not ready, every 10 s
// while it is, and told by every answer or failure in between.
const CHECK_MS = { up: 10000, other: 5000 };
let nextCheck = null;

function setServerState(state, text) {
  el.serverStatus.dataset.state = state;
  el.serverStatus.textContent = text;
  clearTimeout(nextCheck);
  nextCheck = setTimeout(checkServer, state === "up" ? CHECK_MS.up : CHECK_MS.other);
}

async function checkServer() {
  try {
    const body = await callApi("GET", "/api/v1/status");
    if (body && body.status === "ready") setServerState("up", "Model ready");
    else setServerState("unknown", "Server starting…");
  } catch (error) {
    if (error.kind === "network") setServerState("down", "Server unreachable");
    else setServerState("unknown", "Server starting…");
  }
}

const showError = (message) => { el.error.textContent = message; };
const clearError = () => showError("");

// ---------- "Your digits": one entry per drawing, its latest answer ----------

const history = [];
let entry = null;

function renderHistory() {
  el.buffer.textContent = history.map((item) => item.text).join(" ");
}

function record(text) {
  if (entry === null) {
    entry = { text };
    history.push(entry);
  } else {
    entry.text = text;
  }
  renderHistory();
}

function dropEntry() {
  if (entry === null) return;
  history.splice(history.indexOf(entry), 1);
  entry = null;
  renderHistory();
}

function clearPredictions() {
  history.length = 0;
  entry = null;
  renderHistory();
  resetAnswers();
  clearError();
}

// ---------- answers ----------

const views = {
  digit: createDigitView(el, { onCorrected: record, onError: showError, onReadAsNumber: readAsNumber }),
  number: createNumberView(el, { onCorrected: record, onError: showError }),
};
let mode = "digit";
const view = () => views[mode];

function resetAnswers() {
  Object.values(views).forEach((v) => v.reset());
  el.announce.textContent = "";
}

function setBusy(busy) {
  el.predict.setAttribute("aria-busy", String(busy));
  [el.result, el.numberResult].forEach((card) => card.setAttribute("aria-busy", String(busy)));
}

const live = createLive({
  version: () => pad.version(),
  async ask(signal) {
    const shown = view();
    const url = MODES[mode].url;
    const size = pad.size();
    const sent = drawingBody.next(mode);
    let body;
    try {
      body = await callApi("POST", url, sent.payload, signal);
    } catch (error) {
      const instead = sent.strokes ? drawingBody.insteadOf(error) : null;
      if (!instead) throw error;
      sent.strokes = false;
      body = await callApi("POST", url, instead, signal);
    }
    if (!shown.isAnswer(body)) throw new FriendlyError("The server sent an answer this page does not understand.", "http");
    return { body, size, shown, input: sent.strokes ? "strokes" : "image" };
  },
  onStart: () => setBusy(true),
  onAnswer({ body, size, shown, input }) {
    clearError();
    el.announce.textContent = shown.show(body, size);
    // Which body was read (tests and measurements report it): the drawing's strokes or its PNG.
    document.body.dataset.sent = input;
    const text = shown.entry(body);
    if (text === null) dropEntry();
    else record(text);
    setServerState("up", "Model ready");
  },
  onFailure(error) {
    // The answer on screen would belong to an earlier drawing: only the failure is current.
    resetAnswers();
    dropEntry();
    showError(error.message);
    if (error.kind === "network") setServerState("down", "Server unreachable");
    else if (error.kind === "timeout") setServerState("unknown", "Server not answering in time");
  },
  onIdle: () => setBusy(false),
});

// Every change to the drawing: a drawing with ink is asked about again, an empty one forgotten.
function drawingChanged() {
  clearError();
  if (pad.hasInk()) {
    view().setStale(true);
    live.schedule();
    return;
  }
  live.cancel();
  resetAnswers();
  entry = null;
}

const pad = createPad(el.canvas, drawingChanged);
const drawingBody = createDrawingBody(pad);

function predict() {
  if (!pad.hasInk()) {
    showError(MODES[mode].empty);
    return;
  }
  live.now();
}

// ---------- modes ----------

function setMode(name, remember) {
  mode = name;
  document.body.dataset.mode = name;
  el.modeDigit.checked = name === "digit";
  el.modeNumber.checked = name === "number";
  el.canvas.setAttribute("aria-label", MODES[name].canvasLabel);
  el.result.hidden = name !== "digit";
  el.numberResult.hidden = name !== "number";
  // The canvas changes shape: what was drawn (and asked) belongs to the other mode.
  pad.clear();
  pad.resize();
  if (remember) {
    try {
      localStorage.setItem(MODE_KEY, name);
    } catch {
      // Storage may be off (private windows); the mode then lasts for this visit only.
    }
  }
}

function rememberedMode() {
  try {
    const stored = localStorage.getItem(MODE_KEY);
    return Object.hasOwn(MODES, stored) ? stored : "digit";
  } catch {
    return "digit";
  }
}

// "Several digits": the same drawing, read in number mode (fitted into its wider canvas).
function readAsNumber() {
  const drawing = pad.drawing();
  setMode("number", true);
  pad.restore(drawing);
  el.predict.focus();
  live.now();
}

// ---------- keyboard and buttons ----------

// Space and Enter are page shortcuts unless a control has focus and needs them itself.
function ownsKeys(target) {
  return target instanceof Element
    && target.closest("button, a[href], input, select, textarea, [contenteditable]:not([contenteditable='false'])") !== null;
}

function editsText(target) {
  return target instanceof Element
    && target.closest("textarea, input:not([type=radio]):not([type=checkbox]), [contenteditable]:not([contenteditable='false'])") !== null;
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey) return;
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    if (editsText(event.target)) return;
    event.preventDefault();
    pad.undo();
    return;
  }
  if (event.ctrlKey || event.metaKey || ownsKeys(event.target)) return;
  const action = { " ": () => pad.clear(), Enter: predict }[event.key];
  if (!action) return;
  event.preventDefault();
  if (!event.repeat) action();
});

el.predict.addEventListener("click", predict);
el.undo.addEventListener("click", () => pad.undo());
el.clearCanvas.addEventListener("click", () => pad.clear());
el.clearPredictions.addEventListener("click", clearPredictions);
[el.modeDigit, el.modeNumber].forEach((radio) => radio.addEventListener("change", () => {
  if (radio.checked) setMode(radio.value, true);
}));

setMode(rememberedMode(), false);
if ("ResizeObserver" in window) new ResizeObserver(() => pad.resize()).observe(el.canvas);
window.addEventListener("resize", () => pad.resize());
clearPredictions();
checkServer();
