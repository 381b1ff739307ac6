package dev.stratus.core.model.registry;

import dev.stratus.core.evaluation.Evaluator;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import java.util.Locale;

/**
 * The check a model must pass before it may answer anyone: its accuracy on a fixed sample of
 * MNIST test digits, through the serving preprocessing and ONNX Runtime, must be within
 * {@code tolerance} of the test accuracy its own card claims. It catches a model exported
 * wrongly (an input scaled 0-255 instead of 0-1, a swapped axis), a card that belongs to another
 * model, and a model that was never any good, in well under a second.
 */
public final class SmokeTest {
    /** Digits in the sample: every tenth of the MNIST test set, so both of its halves (writers) are in it. */
    public static final int SAMPLE = 1000;
    /**
     * How far below its card's accuracy a model may score on the sample at least: two points.
     * Weaker models get more room, three binomial standard deviations of the sample at the
     * claimed accuracy (at 99 % that is 0.9 points, at 75 % 4.1), so that a model is refused for
     * what it is, not for the luck of the sample.
     */
    public static final double TOLERANCE = 0.02;

    private final LabeledImages sample;
    private final double tolerance;

    public SmokeTest(LabeledImages sample, double tolerance) {
        if (sample.count() == 0) {
            throw new IllegalArgumentException("a smoke test needs at least one digit");
        }
        this.sample = sample;
        this.tolerance = tolerance;
    }

    /** The check on {@value #SAMPLE} digits spread evenly over {@code testSet}. */
    public static SmokeTest of(LabeledImages testSet) {
        int n = Math.min(SAMPLE, testSet.count());
        int size = testSet.rows() * testSet.cols();
        byte[] pixels = new byte[n * size];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int from = (int) ((long) i * testSet.count() / n);
            System.arraycopy(testSet.pixels(), from * size, pixels, i * size, size);
            labels[i] = (byte) testSet.label(from);
        }
        return new SmokeTest(new LabeledImages(testSet.rows(), testSet.cols(), pixels, labels), TOLERANCE);
    }

    public LabeledImages sample() {
        return sample;
    }

    /** What the check found. {@code message} is one sentence, fit for a refusal or a log line. */
    public record Result(boolean passed, double accuracy, double claimed, int count, String message) {
    }

    public Result check(Model model) {
        ModelCard card = model.card();
        double accuracy = new Evaluator(model.classifier()).evaluate(sample).confusion().accuracy();
        if (card.test() == null) {
            return new Result(false, accuracy, Double.NaN, sample.count(), String.format(Locale.ROOT,
                    "%s: its card claims no test accuracy to check against (scored %.2f %% on %d MNIST test digits)",
                    card.version(), 100 * accuracy, sample.count()));
        }
        double claimed = card.test().accuracy();
        double allowed = Math.max(tolerance, 3 * Math.sqrt(claimed * (1 - claimed) / sample.count()));
        boolean passed = accuracy >= claimed - allowed;
        return new Result(passed, accuracy, claimed, sample.count(), String.format(Locale.ROOT,
                "%s: %.2f %% on %d MNIST test digits, its card claims %.2f %%: %s", card.version(), 100 * accuracy,
                sample.count(), 100 * claimed, passed ? "passed"
                        : String.format(Locale.ROOT, "more than %.1f points below, refused", 100 * allowed)));
    }
}
