package dev.stratus.training;

import ai.djl.training.tracker.Tracker;

/** How the learning rate moves over a run. */
public enum Schedule {
    /** The same rate throughout (the original project's Adam). */
    CONSTANT,
    /** Cosine decay from the base rate to 1 % of it at the last update. */
    COSINE,
    /** The base rate, then 30 % of it from half-way, then 9 % from three quarters. */
    STEP;

    /** The rate for each update of a run of {@code totalUpdates} updates. */
    public Tracker tracker(float base, int totalUpdates) {
        int total = Math.max(1, totalUpdates);
        return switch (this) {
            case CONSTANT -> update -> base;
            case COSINE -> update -> {
                double t = Math.min(1.0, (double) update / total);
                return (float) (base * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t))));
            };
            case STEP -> update -> {
                double t = (double) update / total;
                return t < 0.5 ? base : t < 0.75 ? base * 0.3f : base * 0.09f;
            };
        };
    }
}
