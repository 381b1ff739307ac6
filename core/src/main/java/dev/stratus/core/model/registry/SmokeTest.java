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
    /** Digits in the sample: the first of the MNIST test set. */
    public static final int SAMPLE = 1000;
    /**
     * How far below its card's accuracy a model may score on the sample. The binomial spread of
     * 1,000 digits at 99 % is 0.3 points, and the first 1,000 test digits are no harder than the
     * rest; two points leave room for that and still refuse anything broken.
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

    /** The check on the first {@value #SAMPLE} digits of {@code testSet}. */
    public static SmokeTest of(LabeledImages testSet) {
        return new SmokeTest(testSet.head(Math.min(SAMPLE, testSet.count())), TOLERANCE);
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
        boolean passed = accuracy >= claimed - tolerance;
        return new Result(passed, accuracy, claimed, sample.count(), String.format(Locale.ROOT,
                "%s: %.2f %% on %d MNIST test digits, its card claims %.2f %%: %s", card.version(), 100 * accuracy,
                sample.count(), 100 * claimed, passed ? "passed"
                        : String.format(Locale.ROOT, "more than %.1f points below, refused", 100 * tolerance)));
    }
}
