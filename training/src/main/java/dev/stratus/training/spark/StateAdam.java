package dev.stratus.training.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam, computed by the same fused engine operation as DJL's own, whose moments and update
 * count can be read out and replaced. DJL's {@code Adam} keeps them private; a replica needs
 * them to start each round from the averaged state and to hand its own back.
 */
final class StateAdam extends Optimizer {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final Tracker schedule;
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private long baseUpdates;

    StateAdam(Tracker schedule) {
        super(new Builder());
        this.schedule = schedule;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        long t = baseUpdates + steps.merge(parameterId, 1, Integer::sum);
        double correction1 = 1.0 - Math.pow(BETA1, t);
        double correction2 = 1.0 - Math.pow(BETA2, t);
        float rate = schedule.getNewValue((int) Math.min(Integer.MAX_VALUE, t));
        float corrected = (float) (rate * Math.sqrt(correction2) / correction1);
        NDArray mean = means.computeIfAbsent(parameterId, k -> weight.zerosLike());
        NDArray variance = variances.computeIfAbsent(parameterId, k -> weight.zerosLike());
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight),
                rate, corrected, getWeightDecay(), rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
    }

    /**
     * Starts from the given moments ({@code null}: zeros) after {@code updates} earlier steps.
     * {@code like} gives the shape for a parameter whose moments are not known yet.
     */
    void load(String parameterId, NDArray like, float[] mean, float[] variance) {
        means.put(parameterId, moment(parameterId, like, mean, means));
        variances.put(parameterId, moment(parameterId, like, variance, variances));
    }

    private static NDArray moment(String id, NDArray like, float[] values, Map<String, NDArray> existing) {
        NDArray array = existing.get(id);
        if (array == null) {
            array = like.zerosLike();
        }
        if (values != null) {
            array.set(FloatBuffer.wrap(values));
        } else {
            array.subi(array);
        }
        return array;
    }

    /** Resets the step counts: the next update is number {@code updates + 1}. */
    void startAt(long updates) {
        baseUpdates = updates;
        steps.clear();
    }

    /** The first moment of a parameter, or {@code null} if it was never updated nor loaded. */
    float[] mean(String parameterId) {
        NDArray array = means.get(parameterId);
        return array == null ? null : array.toFloatArray();
    }

    float[] variance(String parameterId) {
        NDArray array = variances.get(parameterId);
        return array == null ? null : array.toFloatArray();
    }

    /** Updates made since {@link #startAt}: the most any parameter had. */
    long updatesSinceStart() {
        return steps.values().stream().mapToLong(Integer::longValue).max().orElse(0);
    }
}
