// Live prediction: the drawing is sent ~250 ms after its last change, or at once on request.
// One request is in flight at a time: a newer drawing aborts the older request, and an answer
// (or failure) is passed on only while the drawing is still the one it was asked about.

export const LIVE_DELAY_MS = 250;

/**
 * ask(signal) sends the current drawing; version() names the drawing as it is now. The callbacks
 * hear of an answer becoming due (scheduled or asked), of the answer or failure, and of nothing
 * being due any more.
 */
export function createLive({ ask, version, onStart, onAnswer, onFailure, onIdle }) {
  let timer = null;
  let controller = null;

  function abandon() {
    clearTimeout(timer);
    timer = null;
    if (controller) {
      controller.abort();
      controller = null;
    }
  }

  async function run() {
    abandon();
    const mine = new AbortController();
    controller = mine;
    const asked = version();
    const current = () => !mine.signal.aborted && version() === asked;
    onStart();
    try {
      const answer = await ask(mine.signal);
      if (current()) onAnswer(answer);
    } catch (error) {
      if (current()) onFailure(error);
    } finally {
      if (controller === mine) {
        controller = null;
        onIdle();
      }
    }
  }

  return {
    /** The drawing changed: drop what was asked about the old one, ask again after a pause. */
    schedule() {
      abandon();
      onStart();
      timer = setTimeout(run, LIVE_DELAY_MS);
    },
    /** Ask now (Predict, Enter). */
    now: run,
    /** Forget the drawing (Clear, undo to nothing, a mode switch): nothing asked will show. */
    cancel() {
      abandon();
      onIdle();
    },
  };
}
