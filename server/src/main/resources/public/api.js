// Talking to the Stratus server: JSON in and out, a 10 s limit, and every failure turned into
// a sentence fit to show to the person using the page.

const TIMEOUT_MS = 10_000;

/**
 * An error whose message is fit to show. kind: "http", "timeout", "network" or "aborted"; an
 * "http" one also has the status and the server's error code ("" when it gave none).
 */
export class FriendlyError extends Error {
  constructor(message, kind, status = 0, code = "") {
    super(message);
    this.kind = kind;
    this.status = status;
    this.code = code;
  }
}

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

/**
 * Calls the API. {@code signal}, when given, lets the caller abandon the request (a newer
 * drawing, Clear): the promise then rejects with kind "aborted", which callers drop silently.
 */
export async function callApi(method, url, payload, signal) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, TIMEOUT_MS);
  const abandon = () => controller.abort();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", abandon, { once: true });
  }
  try {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      cache: "no-store",
      signal: controller.signal,
    });
    const body = await readJson(response);
    if (!response.ok) {
      const code = body && typeof body.error === "string" ? body.error : "";
      throw new FriendlyError(httpErrorMessage(response, body), "http", response.status, code);
    }
    return body;
  } catch (error) {
    if (error instanceof FriendlyError) throw error;
    if (error && error.name === "AbortError") {
      if (!timedOut) throw new FriendlyError("The request was abandoned.", "aborted");
      throw new FriendlyError("The server did not answer within 10 seconds. Please try again.", "timeout");
    }
    throw new FriendlyError("Cannot reach the Stratus server. Check that it is running and that you are online, then try again.", "network");
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", abandon);
  }
}
