package dev.stratus.core.evaluation;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import java.util.stream.IntStream;

/**
 * Scores a classifier on labelled images of any size: each image goes through the serving
 * preprocessing, then the network in batches.
 */
public final class Evaluator {
    private static final int BATCH = 256;
    private static final int NO_PREDICTION = -1;

    private final OnnxClassifier classifier;
    private final Preprocessor preprocessor = new Preprocessor();

    public Evaluator(OnnxClassifier classifier) {
        this.classifier = classifier;
    }

    /** The confusion matrix, and how many images were blank (counted as wrong: there was nothing to read). */
    public record Result(ConfusionMatrix confusion, int blank) {
    }

    public Result evaluate(LabeledImages data) {
        int n = data.count();
        float[] pixels = new float[n * Mnist.PIXELS];
        boolean[] blank = new boolean[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                System.arraycopy(preprocessor.apply(data.image(i)).pixels(), 0, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
            } catch (BlankImageException e) {
                blank[i] = true;
            }
        });
        ConfusionMatrix confusion = new ConfusionMatrix();
        int blanks = 0;
        for (int start = 0; start < n; start += BATCH) {
            int count = Math.min(BATCH, n - start);
            float[] batch = java.util.Arrays.copyOfRange(pixels, start * Mnist.PIXELS, (start + count) * Mnist.PIXELS);
            float[] probabilities = classifier.probabilities(batch, count);
            for (int i = 0; i < count; i++) {
                int index = start + i;
                int truth = data.label(index);
                if (blank[index]) {
                    blanks++;
                    confusion.addMiss(truth);
                } else {
                    confusion.add(truth, Prediction.argMax(probabilities, i));
                }
            }
        }
        return new Result(confusion, blanks);
    }
}
