package dev.stratus.training;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The images of one run: the raw training images (for augmentation), the split into training
 * and validation, and every image already preprocessed the way serving preprocesses.
 */
public final class TrainingData {
    private final LabeledImages train;
    private final int[] trainIndices;
    private final float[] trainPixels;
    private final Labelled validation;
    private final Labelled test;

    /** Preprocessed images, concatenated, and their labels. */
    public record Labelled(float[] pixels, int[] labels) {
        public int count() {
            return labels.length;
        }

        /** The first {@code n} images. */
        public Labelled head(int n) {
            int k = Math.min(n, count());
            return new Labelled(java.util.Arrays.copyOf(pixels, k * Mnist.PIXELS), java.util.Arrays.copyOf(labels, k));
        }
    }

    private TrainingData(LabeledImages train, int[] trainIndices, float[] trainPixels, Labelled validation,
                         Labelled test) {
        this.train = train;
        this.trainIndices = trainIndices;
        this.trainPixels = trainPixels;
        this.validation = validation;
        this.test = test;
    }

    /**
     * Splits {@code train} (its first {@code limit} images when positive) into training and
     * validation with a seeded shuffle, and preprocesses everything.
     */
    public static TrainingData prepare(LabeledImages train, LabeledImages test, Preprocessor preprocessor,
                                       double validationSplit, int limit, long seed) {
        LabeledImages used = limit > 0 ? train.head(limit) : train;
        int[] order = shuffle(IntStream.range(0, used.count()).toArray(), new SplittableRandom(seed));
        int validationCount = (int) Math.round(used.count() * validationSplit);
        int[] trainIndices = java.util.Arrays.copyOfRange(order, validationCount, order.length);
        int[] validationIndices = java.util.Arrays.copyOfRange(order, 0, validationCount);
        java.util.Arrays.sort(trainIndices);
        java.util.Arrays.sort(validationIndices);

        float[] pixels = preprocess(used, IntStream.range(0, used.count()).toArray(), preprocessor).pixels();
        Labelled validation = preprocess(used, validationIndices, preprocessor);
        Labelled testSet = preprocess(test, IntStream.range(0, test.count()).toArray(), preprocessor);
        return new TrainingData(used, trainIndices, pixels, validation, testSet);
    }

    /** Preprocesses the given images, in parallel. */
    public static Labelled preprocess(LabeledImages images, int[] indices, Preprocessor preprocessor) {
        float[] pixels = new float[indices.length * Mnist.PIXELS];
        int[] labels = new int[indices.length];
        IntStream.range(0, indices.length).parallel().forEach(i -> {
            System.arraycopy(preprocessor.apply(images.image(indices[i])).pixels(), 0, pixels, i * Mnist.PIXELS,
                    Mnist.PIXELS);
            labels[i] = images.label(indices[i]);
        });
        return new Labelled(pixels, labels);
    }

    /** A seeded Fisher-Yates permutation of {@code values} (which it leaves as they are). */
    public static int[] shuffle(int[] values, SplittableRandom random) {
        int[] order = values.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    public LabeledImages raw() {
        return train;
    }

    /** Indices into {@link #raw()} of the images trained on. */
    public int[] trainIndices() {
        return trainIndices;
    }

    /** The preprocessed pixels of raw image {@code index}, copied into {@code target} at {@code offset}. */
    public void copyPreprocessed(int index, float[] target, int offset) {
        System.arraycopy(trainPixels, index * Mnist.PIXELS, target, offset, Mnist.PIXELS);
    }

    public Labelled validation() {
        return validation;
    }

    public Labelled test() {
        return test;
    }
}
