package dev.stratus.training;

import dev.stratus.core.evaluation.Evaluator;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.OnnxClassifier;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The retraining gate: a candidate joins the registry only if it is not worse than the active
 * model, beyond a tolerance, on the MNIST test set and on the users' held-back corrections, both
 * measured here the same way for both models (the serving preprocessing, ONNX Runtime).
 */
final class RetrainGate {
    private RetrainGate() {
    }

    /** The corrections split into the part trained on and the part held back to judge by. */
    record Split(LabeledImages train, LabeledImages heldBack) {
    }

    /** A seeded split: each correction is held back with probability {@code share}. */
    static Split split(LabeledImages feedback, double share, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream trainPixels = new ByteArrayOutputStream();
        ByteArrayOutputStream trainLabels = new ByteArrayOutputStream();
        ByteArrayOutputStream heldPixels = new ByteArrayOutputStream();
        ByteArrayOutputStream heldLabels = new ByteArrayOutputStream();
        int size = feedback.rows() * feedback.cols();
        for (int i = 0; i < feedback.count(); i++) {
            boolean held = random.nextDouble() < share;
            (held ? heldPixels : trainPixels).write(feedback.pixels(), i * size, size);
            (held ? heldLabels : trainLabels).write(feedback.label(i));
        }
        return new Split(new LabeledImages(feedback.rows(), feedback.cols(), trainPixels.toByteArray(),
                trainLabels.toByteArray()), new LabeledImages(feedback.rows(), feedback.cols(),
                heldPixels.toByteArray(), heldLabels.toByteArray()));
    }

    /** A model's accuracy on MNIST test and on the held-back corrections (null when there are none). */
    record Scores(double mnist, Double feedback) {
        static Scores of(OnnxClassifier classifier, LabeledImages test, LabeledImages heldBack) {
            Evaluator evaluator = new Evaluator(classifier);
            return new Scores(evaluator.evaluate(test).confusion().accuracy(),
                    heldBack.count() == 0 ? null : evaluator.evaluate(heldBack).confusion().accuracy());
        }
    }

    static ModelCard.Gate decide(String activeVersion, Scores candidate, Scores active, double tolerance,
                                 Split split, Instant now) {
        double mnistGap = active.mnist() - candidate.mnist();
        Double feedbackGap = candidate.feedback() == null ? null : active.feedback() - candidate.feedback();
        String reason;
        boolean accepted;
        if (mnistGap > tolerance) {
            accepted = false;
            reason = String.format(Locale.ROOT, "%.2f points below %s on the MNIST test set (tolerance %.2f)",
                    100 * mnistGap, activeVersion, 100 * tolerance);
        } else if (feedbackGap != null && feedbackGap > tolerance) {
            accepted = false;
            reason = String.format(Locale.ROOT, "%.2f points below %s on the %d held-back corrections (tolerance %.2f)",
                    100 * feedbackGap, activeVersion, split.heldBack().count(), 100 * tolerance);
        } else {
            accepted = true;
            reason = String.format(Locale.ROOT, "within %.2f points of %s or better on the MNIST test set%s",
                    100 * tolerance, activeVersion, feedbackGap == null ? " (no held-back corrections to judge by)"
                            : " and on the " + split.heldBack().count() + " held-back corrections");
        }
        return new ModelCard.Gate(accepted ? "accepted" : "refused", activeVersion, tolerance, candidate.mnist(),
                active.mnist(), candidate.feedback(), active.feedback(), split.heldBack().count(), split.train().count(),
                reason, now.toString());
    }
}
