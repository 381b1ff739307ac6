package dev.stratus.training;

import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.augment.Outliers;
import dev.stratus.training.network.Architecture;

/**
 * Everything one training run needs to know, validated once.
 *
 * @param limit           use only the first {@code limit} training images (0: all)
 * @param threads         PyTorch intra-op threads (0: one per core)
 * @param checkpointEvery measure test accuracy every this many images until the reference
 *                        accuracy is reached (0: only after each epoch)
 * @param outliers        drawings that are not digits ({@link Outliers}) added to each batch, per
 *                        digit in it (0: none)
 */
public record TrainingOptions(Architecture architecture, int epochs, int batchSize, float learningRate,
                              Schedule schedule, long seed, double validationSplit, Augmentation augmentation,
                              int limit, int threads, int checkpointEvery, double outliers) {

    /** The accuracy of the original project, the first bar to clear. */
    public static final double REFERENCE_ACCURACY = 0.9745;
    /** Outliers per digit of the default network: the shipped model's (docs/benchmarks.md, issue 17). */
    public static final double DEFAULT_OUTLIERS = 0.5;

    public TrainingOptions {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validation split must lie in [0, 1), got " + validationSplit);
        }
        if (limit < 0 || threads < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("limit, threads and checkpoint interval cannot be negative");
        }
        if (!(outliers >= 0 && outliers <= 1)) {
            throw new IllegalArgumentException("outliers per digit must lie in [0, 1], got " + outliers);
        }
    }

    /** Options without outliers. */
    public TrainingOptions(Architecture architecture, int epochs, int batchSize, float learningRate, Schedule schedule,
                           long seed, double validationSplit, Augmentation augmentation, int limit, int threads,
                           int checkpointEvery) {
        this(architecture, epochs, batchSize, learningRate, schedule, seed, validationSplit, augmentation, limit,
                threads, checkpointEvery, 0);
    }

    /** The same options with another share of outliers. */
    public TrainingOptions withOutliers(double share) {
        return new TrainingOptions(architecture, epochs, batchSize, learningRate, schedule, seed, validationSplit,
                augmentation, limit, threads, checkpointEvery, share);
    }

    /** The defaults of an architecture: the original's settings for {@code paper}, ours otherwise. */
    public static TrainingOptions defaults(Architecture architecture) {
        if (architecture == Architecture.PAPER) {
            return new TrainingOptions(architecture, 10, 64, 1e-3f, Schedule.CONSTANT, 42, 0.1,
                    Augmentation.NONE, 0, 0, 5_000);
        }
        return new TrainingOptions(architecture, 15, 128, 2e-3f, Schedule.COSINE, 42, 0.1,
                Augmentation.DRAWN_DIGITS, 0, 0, 5_000, DEFAULT_OUTLIERS);
    }
}
