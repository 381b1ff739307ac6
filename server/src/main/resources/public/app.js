// Stratus drawing page: a canvas to draw on, the prediction API, and the result pane.
// Plain ES2020, no build step. Everything here is served from this origin (see the server's CSP).
"use strict";

(() => {
  const API = "/api/v1/predictions";
  const TIMEOUT_MS = 10_000;
  // A 20 px pen on a 280 px canvas gives MNIST-like strokes (2-3 px) once the server scales
  // the ink's bounding box to 20 px; smaller canvases get a proportionally thinner pen.
  const PEN_WIDTH_PER_PX = 20 / 280;
  const SIDE = 28;

  const $ = (id) => document.getElementById(id);
  // Every element the script touches, by id; "clear-canvas" becomes el.clearCanvas.
  const el = Object.fromEntries([
    "canvas", "predict", "clear-canvas", "clear-predictions", "buffer", "result",
    "digit", "confidence", "top3", "chart", "preview", "error",
    "correct-label", "send-label", "label-status", "meta", "announce", "server-status",
  ].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

  /** An error whose message is fit to show to the person using the page. */
  class FriendlyError extends Error {
    constructor(message, kind) {
      super(message);
      this.kind = kind;
    }
  }

  // ---------- drawing pad ----------

  function createPad(canvas) {
    const ctx = canvas.getContext("2d");
    let cssSize = 0;
    let pointerId = null;
    let last = null;
    let lastMid = null;
    let inked = false;

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
      ctx.lineWidth = Math.max(6, cssSize * PEN_WIDTH_PER_PX);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
    }

    // Sizes the backing store for the device's pixel ratio, keeping what was drawn.
    function resize() {
      const size = canvas.clientWidth;
      const ratio = window.devicePixelRatio || 1;
      const pixels = Math.round(size * ratio);
      if (size === 0 || (size === cssSize && canvas.width === pixels)) return;
      let snapshot = null;
      if (inked) {
        snapshot = document.createElement("canvas");
        snapshot.width = canvas.width;
        snapshot.height = canvas.height;
        snapshot.getContext("2d").drawImage(canvas, 0, 0);
      }
      cssSize = size;
      canvas.width = pixels;
      canvas.height = pixels;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      paintBackground();
      if (snapshot) ctx.drawImage(snapshot, 0, 0, cssSize, cssSize);
      applyPen();
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      const scale = cssSize / (box.width || cssSize);
      return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale };
    }

    function dot(p) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
    }

    // Quadratic curves through the midpoints of successive samples give smooth strokes.
    function extend(p) {
      const mid = { x: (last.x + p.x) / 2, y: (last.y + p.y) / 2 };
      ctx.beginPath();
      ctx.moveTo(lastMid.x, lastMid.y);
      ctx.quadraticCurveTo(last.x, last.y, mid.x, mid.y);
      ctx.stroke();
      last = p;
      lastMid = mid;
    }

    function finish(event) {
      if (event.pointerId !== pointerId) return;
      ctx.beginPath();
      ctx.moveTo(lastMid.x, lastMid.y);
      ctx.lineTo(last.x, last.y);
      ctx.stroke();
      pointerId = null;
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (pointerId !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      canvas.focus({ preventScroll: true });
      canvas.setPointerCapture(event.pointerId);
      pointerId = event.pointerId;
      last = point(event);
      lastMid = last;
      dot(last);
      inked = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== pointerId) return;
      event.preventDefault();
      const samples = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      (samples.length ? samples : [event]).forEach((sample) => extend(point(sample)));
    });
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("lostpointercapture", finish);

    return {
      resize,
      hasInk: () => inked,
      clear() {
        paintBackground();
        inked = false;
      },
      toDataURL: () => canvas.toDataURL("image/png"),
    };
  }

  // ---------- chart, result pane and buffer ----------

  // One decimal, without rounding a tiny chance to 0.0% or a near-certainty to 100.0%.
  function percent(p) {
    const value = p * 100;
    if (value > 0 && value < 0.1) return "<0.1%";
    if (value > 99.9 && value < 100) return ">99.9%";
    return `${value.toFixed(1)}%`;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
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

  function drawPreview(canvas, input) {
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = input ? Math.max(0, Math.min(255, input[i] | 0)) : 0;
      image.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }

  function isPrediction(body) {
    return body !== null && typeof body === "object" && Number.isInteger(body.digit)
      && Array.isArray(body.probabilities) && body.probabilities.length === 10;
  }

  // ---------- talking to the server ----------

  async function readJson(response) {
    const text = await response.text();
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  // The server's detail is a plain sentence, possibly lower-case: show it as one.
  function sentence(text) {
    const trimmed = typeof text === "string" ? text.trim() : "";
    if (!trimmed) return "";
    const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
    return /[.!?]$/.test(capital) ? capital : `${capital}.`;
  }

  function httpErrorMessage(response, body) {
    const detail = sentence(body && body.detail);
    switch (response.status) {
      case 429: {
        const wait = Number.parseInt(response.headers.get("Retry-After") || "", 10);
        const again = Number.isFinite(wait) ? `Please wait ${wait} s and try again.` : "Please wait a moment and try again.";
        return `Too many requests. ${again}`;
      }
      case 413:
        return detail || "The drawing is too large to send.";
      case 503:
        return detail || "The server is busy right now. Please try again in a moment.";
      case 504:
        return detail || "The model took too long to answer. Please try again.";
      default:
        return detail || `The server could not handle the request (HTTP ${response.status}).`;
    }
  }

  async function callApi(method, url, payload) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        cache: "no-store",
        signal: controller.signal,
      });
      const body = await readJson(response);
      if (!response.ok) throw new FriendlyError(httpErrorMessage(response, body), "http");
      return body;
    } catch (error) {
      if (error instanceof FriendlyError) throw error;
      if (error && error.name === "AbortError") {
        throw new FriendlyError("The server did not answer within 10 seconds. Please try again.", "timeout");
      }
      throw new FriendlyError("Cannot reach the Stratus server. Check that it is running and that you are online, then try again.", "network");
    } finally {
      clearTimeout(timer);
    }
  }

  function setServerState(state, text) {
    el.serverStatus.dataset.state = state;
    el.serverStatus.textContent = text;
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

  // ---------- the page ----------

  const pad = createPad(el.canvas);
  const chart = buildChart(el.chart);
  const digits = [];
  let current = null;
  let busy = false;

  const showError = (message) => { el.error.textContent = message; };
  const clearError = () => showError("");

  function setBusy(value) {
    busy = value;
    el.predict.disabled = value;
    el.predict.setAttribute("aria-busy", String(value));
    el.result.setAttribute("aria-busy", String(value));
  }

  function resetCorrection(enabled) {
    el.correctLabel.value = "";
    el.correctLabel.disabled = !enabled;
    el.sendLabel.disabled = true;
    el.labelStatus.textContent = "";
  }

  function showPrediction(prediction) {
    current = prediction;
    digits.push(prediction.digit);
    el.buffer.textContent = digits.join(" ");
    el.result.dataset.state = "ready";
    el.result.dataset.predictionId = prediction.id || "";
    el.digit.textContent = String(prediction.digit);
    const confidence = typeof prediction.confidence === "number"
      ? prediction.confidence : prediction.probabilities[prediction.digit];
    el.confidence.textContent = `${percent(confidence)} confident`;
    const top = Array.isArray(prediction.top) ? prediction.top.slice(0, 3) : [];
    el.top3.replaceChildren(...top.map(({ digit, probability }) => {
      const item = element("li", "");
      item.append(element("strong", "", String(digit)), ` ${percent(probability)}`);
      return item;
    }));
    chart.show(prediction.probabilities, prediction.digit);
    drawPreview(el.preview, Array.isArray(prediction.input) && prediction.input.length === SIDE * SIDE ? prediction.input : null);
    const millis = prediction.timings && prediction.timings.totalMicros ? ` · ${(prediction.timings.totalMicros / 1000).toFixed(1)} ms on the server` : "";
    el.meta.textContent = prediction.modelVersion ? `Model ${prediction.modelVersion}${millis}` : "";
    resetCorrection(Boolean(prediction.id));
    el.announce.textContent = `Predicted ${prediction.digit}, ${percent(confidence)} confident.`;
  }

  function clearPredictions() {
    digits.length = 0;
    current = null;
    el.buffer.textContent = "";
    el.result.dataset.state = "empty";
    delete el.result.dataset.predictionId;
    el.digit.textContent = "";
    el.confidence.textContent = "";
    el.top3.replaceChildren();
    el.meta.textContent = "";
    el.announce.textContent = "";
    chart.reset();
    drawPreview(el.preview, null);
    resetCorrection(false);
    clearError();
  }

  function clearCanvas() {
    pad.clear();
    clearError();
  }

  async function predict() {
    if (busy) return;
    if (!pad.hasInk()) {
      showError("Draw a digit first: the canvas is empty.");
      return;
    }
    clearError();
    setBusy(true);
    try {
      const body = await callApi("POST", API, { image: pad.toDataURL() });
      if (!isPrediction(body)) throw new FriendlyError("The server sent an answer this page does not understand.", "http");
      showPrediction(body);
      setServerState("up", "Model ready");
    } catch (error) {
      showError(error.message);
      if (error.kind === "network") setServerState("down", "Server unreachable");
    } finally {
      setBusy(false);
    }
  }

  async function sendLabel() {
    const label = el.correctLabel.value;
    if (!current || !current.id || label === "") return;
    el.sendLabel.disabled = true;
    el.labelStatus.textContent = "Sending…";
    try {
      await callApi("PUT", `${API}/${encodeURIComponent(current.id)}/label`, { label: Number(label) });
      el.labelStatus.textContent = `Thanks, recorded as ${label}`;
    } catch (error) {
      el.labelStatus.textContent = "";
      showError(error.message);
    } finally {
      el.sendLabel.disabled = el.correctLabel.value === "";
    }
  }

  // Space and Enter are page shortcuts unless a control has focus and needs them itself.
  function ownsKeys(target) {
    return target instanceof Element
      && target.closest("button, a[href], input, select, textarea, [contenteditable]:not([contenteditable='false'])") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || ownsKeys(event.target)) return;
    const action = { " ": clearCanvas, Enter: predict }[event.key];
    if (!action) return;
    event.preventDefault();
    if (!event.repeat) action();
  });

  el.predict.addEventListener("click", predict);
  el.clearCanvas.addEventListener("click", clearCanvas);
  el.clearPredictions.addEventListener("click", clearPredictions);
  el.sendLabel.addEventListener("click", sendLabel);
  el.correctLabel.addEventListener("change", () => {
    el.sendLabel.disabled = el.correctLabel.value === "" || !current;
    el.labelStatus.textContent = "";
  });

  pad.resize();
  if ("ResizeObserver" in window) new ResizeObserver(() => pad.resize()).observe(el.canvas);
  window.addEventListener("resize", () => pad.resize());
  clearPredictions();
  checkServer();
})();
