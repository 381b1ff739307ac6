package dev.stratus.training.spark;

import ai.djl.nn.ParameterList;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * What one round hands from the driver to the executors and back: every parameter of the
 * network (weights, biases, batch-norm running statistics, in the block's order), Adam's two
 * moments for the trainable ones, and how many updates the model has had. Averaging these is
 * the synchronisation step of {@link SparkTrainer}.
 *
 * @param values    each parameter's values, flattened
 * @param means     Adam's first moment per parameter; {@code null} entries for untrained ones
 * @param variances Adam's second moment per parameter; {@code null} entries likewise
 * @param updates   optimisation steps taken so far (Adam's bias correction and the schedule
 *                  count from here)
 */
public record ModelState(float[][] values, float[][] means, float[][] variances, long updates)
        implements Serializable {

    public ModelState {
        if (values.length != means.length || values.length != variances.length) {
            throw new IllegalArgumentException("values, means and variances must cover the same parameters");
        }
    }

    /** The values of every parameter of a network, in order, with no optimizer state yet. */
    public static ModelState initial(ParameterList parameters) {
        int n = parameters.size();
        float[][] values = new float[n][];
        for (int p = 0; p < n; p++) {
            values[p] = parameters.get(p).getValue().getArray().toFloatArray();
        }
        return new ModelState(values, new float[n][], new float[n][], 0);
    }

    /** Copies the values into a network's parameters (same architecture, same order). */
    public void loadValues(ParameterList parameters) {
        if (values.length != parameters.size()) {
            throw new IllegalArgumentException("the state has " + values.length + " parameters, the network "
                    + parameters.size());
        }
        for (int p = 0; p < values.length; p++) {
            parameters.get(p).getValue().getArray().set(FloatBuffer.wrap(values[p]));
        }
    }

    /** Bytes of the arrays, as a measure of what a round moves. */
    public long bytes() {
        return 4L * (count(values) + count(means) + count(variances));
    }

    /**
     * The weighted mean of {@code states} (each weighted by the images its replica trained on),
     * parameter by parameter and moment by moment; the update count advances by the mean of
     * the replicas' steps.
     */
    public static ModelState average(List<ModelState> states, long[] weights) {
        if (states.isEmpty() || states.size() != weights.length) {
            throw new IllegalArgumentException("need one weight per state, and at least one state");
        }
        double total = 0;
        for (long w : weights) {
            total += w;
        }
        ModelState first = states.get(0);
        int n = first.values.length;
        float[][] values = new float[n][];
        float[][] means = new float[n][];
        float[][] variances = new float[n][];
        double updates = 0;
        for (int s = 0; s < states.size(); s++) {
            updates += states.get(s).updates * (weights[s] / total);
        }
        for (int p = 0; p < n; p++) {
            values[p] = mean(states, weights, total, p, ModelState::values);
            means[p] = first.means[p] == null ? null : mean(states, weights, total, p, ModelState::means);
            variances[p] = first.variances[p] == null ? null : mean(states, weights, total, p, ModelState::variances);
        }
        return new ModelState(values, means, variances, Math.round(updates));
    }

    private static float[] mean(List<ModelState> states, long[] weights, double total, int parameter,
                                java.util.function.Function<ModelState, float[][]> part) {
        int length = part.apply(states.get(0))[parameter].length;
        double[] sum = new double[length];
        for (int s = 0; s < states.size(); s++) {
            float[] values = part.apply(states.get(s))[parameter];
            if (values == null || values.length != length) {
                throw new IllegalArgumentException("replica " + s + " returned a parameter " + parameter
                        + " of another shape");
            }
            double w = weights[s] / total;
            for (int i = 0; i < length; i++) {
                sum[i] += w * values[i];
            }
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }

    private static long count(float[][] arrays) {
        long n = 0;
        for (float[] a : arrays) {
            n += a == null ? 0 : a.length;
        }
        return n;
    }
}
