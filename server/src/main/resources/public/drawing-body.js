// What the page sends for a drawing. A digit goes as its strokes, which the server renders at an
// MNIST-like pen width whatever the drawing's size (issue 17); the PNG of the canvas goes where
// strokes cannot: number mode, a drawing past the server's stroke limits, or a server that does
// not read strokes (it answers 400 missing_input, and the page then sends PNGs for the visit).

/** The server's limits on a strokes body (POST /api/v1/predictions). */
export const STROKE_LIMITS = { strokes: 64, points: 4096 };

function withinLimits(strokes) {
  const points = strokes.reduce((sum, stroke) => sum + stroke.length, 0);
  return strokes.length > 0 && strokes.length <= STROKE_LIMITS.strokes && points <= STROKE_LIMITS.points;
}

export function createDrawingBody(pad) {
  let serverReadsStrokes = true;

  const image = () => ({ image: pad.snapshot().image });

  return {
    /** The body for {@code mode} ("digit" or "number"), and whether it is strokes. */
    next(mode) {
      if (mode === "digit" && serverReadsStrokes) {
        const strokes = pad.strokes();
        if (withinLimits(strokes)) return { payload: { strokes }, strokes: true };
      }
      return { payload: image(), strokes: false };
    },
    /**
     * A strokes body was refused with {@code error}: the image body to send instead, or null when
     * the refusal is not about strokes (then it stands).
     */
    insteadOf(error) {
      if (error.kind !== "http" || error.status !== 400) return null;
      if (error.code === "missing_input") serverReadsStrokes = false;
      return image();
    },
  };
}
