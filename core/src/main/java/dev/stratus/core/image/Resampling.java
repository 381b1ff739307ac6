package dev.stratus.core.image;

/** Anti-aliased resizing of a rectangle of a single-channel image. */
public final class Resampling {

    private Resampling() {
    }

    /**
     * Resizes the {@code cw x ch} rectangle at ({@code x0}, {@code y0}) of a {@code stride}-wide
     * image to {@code tw x th}. Shrinking averages the exact area each target pixel covers (a box
     * filter, so thin strokes fade rather than vanish); enlarging interpolates bilinearly.
     */
    public static float[] resize(float[] src, int stride, int x0, int y0, int cw, int ch, int tw, int th) {
        float[] out = new float[tw * th];
        double sx = (double) cw / tw;
        double sy = (double) ch / th;
        if (sx >= 1 && sy >= 1) {
            areaAverage(src, stride, x0, y0, cw, ch, sx, sy, tw, th, out);
        } else {
            bilinear(src, stride, x0, y0, cw, ch, sx, sy, tw, th, out);
        }
        return out;
    }

    private static void areaAverage(float[] src, int stride, int x0, int y0, int cw, int ch,
                                    double sx, double sy, int tw, int th, float[] out) {
        for (int ty = 0; ty < th; ty++) {
            double top = ty * sy;
            double bottom = top + sy;
            for (int tx = 0; tx < tw; tx++) {
                double left = tx * sx;
                double right = left + sx;
                double sum = 0;
                for (int y = (int) top, yEnd = Math.min(ch, (int) Math.ceil(bottom)); y < yEnd; y++) {
                    double wy = Math.min(bottom, y + 1) - Math.max(top, y);
                    for (int x = (int) left, xEnd = Math.min(cw, (int) Math.ceil(right)); x < xEnd; x++) {
                        double wx = Math.min(right, x + 1) - Math.max(left, x);
                        sum += wx * wy * src[(y0 + y) * stride + x0 + x];
                    }
                }
                out[ty * tw + tx] = (float) (sum / (sx * sy));
            }
        }
    }

    private static void bilinear(float[] src, int stride, int x0, int y0, int cw, int ch, double sx, double sy,
                                 int tw, int th, float[] out) {
        for (int ty = 0; ty < th; ty++) {
            double fy = clamp((ty + 0.5) * sy - 0.5, ch - 1);
            int iy = (int) fy;
            int iy1 = Math.min(iy + 1, ch - 1);
            double ay = fy - iy;
            for (int tx = 0; tx < tw; tx++) {
                double fx = clamp((tx + 0.5) * sx - 0.5, cw - 1);
                int ix = (int) fx;
                int ix1 = Math.min(ix + 1, cw - 1);
                double ax = fx - ix;
                double top = lerp(src[(y0 + iy) * stride + x0 + ix], src[(y0 + iy) * stride + x0 + ix1], ax);
                double bottom = lerp(src[(y0 + iy1) * stride + x0 + ix], src[(y0 + iy1) * stride + x0 + ix1], ax);
                out[ty * tw + tx] = (float) lerp(top, bottom, ay);
            }
        }
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }
}
