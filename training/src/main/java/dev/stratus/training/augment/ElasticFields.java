package dev.stratus.training.augment;

import java.util.SplittableRandom;

/**
 * Smooth random displacement fields (Simard, Steinkraus and Platt, 2003): uniform noise blurred
 * with a Gaussian and scaled. Computing one costs far more than applying it, so a bank is made
 * once and reused with random sign.
 */
final class ElasticFields {

    private ElasticFields() {
    }

    /** {@code count} fields of {@code side x side} (dx, dy) pairs, interleaved. */
    static float[][] generate(int count, int side, double alpha, double sigma, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[] kernel = gaussian(sigma);
        float[][] fields = new float[count][];
        for (int i = 0; i < count; i++) {
            float[] dx = noise(side, random);
            float[] dy = noise(side, random);
            dx = blur(dx, side, kernel);
            dy = blur(dy, side, kernel);
            double rms = Math.sqrt((sumSquares(dx) + sumSquares(dy)) / (2.0 * side * side));
            double scale = rms == 0 ? 0 : alpha / rms;
            float[] field = new float[2 * side * side];
            for (int p = 0; p < side * side; p++) {
                field[2 * p] = (float) (dx[p] * scale);
                field[2 * p + 1] = (float) (dy[p] * scale);
            }
            fields[i] = field;
        }
        return fields;
    }

    private static float[] noise(int side, SplittableRandom random) {
        float[] values = new float[side * side];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    private static float[] gaussian(double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= (float) sum;
        }
        return kernel;
    }

    /** Separable blur with zero padding. */
    private static float[] blur(float[] values, int side, float[] kernel) {
        int radius = kernel.length / 2;
        float[] rows = new float[values.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float s = 0;
                for (int k = -radius; k <= radius; k++) {
                    int xx = x + k;
                    if (xx >= 0 && xx < side) {
                        s += kernel[k + radius] * values[y * side + xx];
                    }
                }
                rows[y * side + x] = s;
            }
        }
        float[] out = new float[values.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float s = 0;
                for (int k = -radius; k <= radius; k++) {
                    int yy = y + k;
                    if (yy >= 0 && yy < side) {
                        s += kernel[k + radius] * rows[yy * side + x];
                    }
                }
                out[y * side + x] = s;
            }
        }
        return out;
    }

    private static double sumSquares(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v * v;
        }
        return s;
    }
}
