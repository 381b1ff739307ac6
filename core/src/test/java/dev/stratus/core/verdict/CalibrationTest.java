package dev.stratus.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.Mnist;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /**
     * Labels drawn from softmax(z) while the "model" reports softmax(z * t): an overconfident
     * model for t > 1, an underconfident one for t < 1. The fit must find t again.
     */
    @Test
    void fit_recovers_the_temperature_that_made_a_model_over_or_underconfident() {
        for (double truth : new double[] {0.5, 1.0, 2.5}) {
            SplittableRandom random = new SplittableRandom(7);
            int n = 4000;
            float[] reported = new float[n * Mnist.CLASSES];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                double[] z = new double[Mnist.CLASSES];
                for (int c = 0; c < z.length; c++) {
                    z[c] = random.nextGaussian() * 2;
                }
                double[] real = softmax(z, 1);
                double u = random.nextDouble();
                int label = 0;
                for (double sum = real[0]; sum < u && label < 9; ) {
                    sum += real[++label];
                }
                labels[i] = label;
                double[] shown = softmax(z, truth);
                for (int c = 0; c < z.length; c++) {
                    reported[i * Mnist.CLASSES + c] = (float) shown[c];
                }
            }
            double fitted = Calibration.fitTemperature(reported, labels);
            assertThat(fitted).as("temperature for a model sharpened by " + truth).isCloseTo(truth,
                    org.assertj.core.data.Percentage.withPercentage(8));
            assertThat(Calibration.negativeLogLikelihood(reported, labels, fitted))
                    .isLessThanOrEqualTo(Calibration.negativeLogLikelihood(reported, labels, 1.0) + 1e-9);
        }
    }

    @Test
    void apply_keeps_the_order_sums_to_one_and_softens_above_one() {
        float[] p = {0.9f, 0.05f, 0.02f, 0.01f, 0.01f, 0.005f, 0.003f, 0.001f, 0.0005f, 0.0005f};
        float[] soft = new Calibration(2.0, 0.9, null).apply(p);
        double sum = 0;
        for (float v : soft) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(soft[0]).isLessThan(p[0]).isGreaterThan(soft[1]);
        assertThat(Calibration.NONE.apply(p)).isSameAs(p);
    }

    @Test
    void judges_unsure_below_the_threshold_and_refuses_nonsense() {
        Calibration c = new Calibration(1.3, 0.8, "test");
        assertThat(c.judge(0.79f)).isEqualTo(Verdict.UNSURE);
        assertThat(c.judge(0.8f)).isEqualTo(Verdict.DIGIT);
        assertThatThrownBy(() -> new Calibration(0, 0.5, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Calibration(Double.NaN, 0.5, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Calibration(1, 1.5, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Precheck.TOO_SMALL.decide(0.99f, c)).isEqualTo(Verdict.TOO_SMALL);
        assertThat(Precheck.several("42").decide(0.99f, c)).isEqualTo(Verdict.SEVERAL);
        assertThat(Precheck.NONE.decide(0.5f, c)).isEqualTo(Verdict.UNSURE);
    }

    private static double[] softmax(double[] z, double scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v * scale);
        }
        double[] out = new double[z.length];
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            out[c] = Math.exp(z[c] * scale - max);
            sum += out[c];
        }
        for (int c = 0; c < z.length; c++) {
            out[c] /= sum;
        }
        return out;
    }
}
