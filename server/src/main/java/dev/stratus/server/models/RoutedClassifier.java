package dev.stratus.server.models;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.verdict.Calibration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Classifies a batch on what a {@link ModelRouter} routes to, in one lease: the canary's share of
 * the request ids on the canary, the rest on the active model (one network call each), a copy to
 * the shadow, and every answer with the version that computed it. What the embedded pipeline and
 * the Kafka worker both run a batch through.
 */
public final class RoutedClassifier {
    private final ModelRouter router;
    private final ShadowRunner shadows;
    private final VersionMeters versions;

    /** {@code shadows} null: a shadow in the routing is not run. */
    public RoutedClassifier(ModelRouter router, ShadowRunner shadows, VersionMeters versions) {
        this.router = router;
        this.shadows = shadows;
        this.versions = versions;
    }

    /**
     * One batch's answers, in the order of its images, calibrated by the model card of the version
     * behind each (whose calibration is given too, for the verdict).
     */
    public record Answers(List<Prediction> predictions, List<String> versions, List<Calibration> calibrations) {
    }

    public String activeVersion() {
        return router.activeVersion();
    }

    public Answers classify(List<String> ids, List<DigitImage> images) {
        int n = images.size();
        Prediction[] predictions = new Prediction[n];
        String[] versionOf = new String[n];
        Calibration[] calibrationOf = new Calibration[n];
        ModelRouter.Lease lease = router.acquire();
        boolean handedToShadow = false;
        try {
            Model active = lease.active();
            Model canary = null;
            List<Integer> onActive = new ArrayList<>(n);
            List<Integer> onCanary = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Model m = lease.modelFor(ids.get(i));
                if (m == active) {
                    onActive.add(i);
                } else {
                    onCanary.add(i);
                    canary = m;
                }
            }
            if (canary == null) {
                run(active, images, null, predictions, versionOf, calibrationOf);
            } else {
                if (!onActive.isEmpty()) {
                    run(active, images, onActive, predictions, versionOf, calibrationOf);
                }
                run(canary, images, onCanary, predictions, versionOf, calibrationOf);
            }
            Answers answers = new Answers(Arrays.asList(predictions), Arrays.asList(versionOf),
                    Arrays.asList(calibrationOf));
            Optional<Model> shadow = lease.shadow();
            if (shadow.isPresent() && shadows != null) {
                shadows.submit(lease, shadow.get(), List.copyOf(ids), List.copyOf(images), answers.predictions(),
                        answers.versions());
                handedToShadow = true;
            }
            return answers;
        } finally {
            if (!handedToShadow) {
                lease.close();
            }
        }
    }

    /** Runs {@code work} on the model that answers {@code id} (a number's segmentation, say), leased meanwhile. */
    public <T> T withModel(String id, Function<Model, T> work) {
        try (ModelRouter.Lease lease = router.acquire()) {
            return work.apply(lease.modelFor(id));
        }
    }

    /** The answer with its probabilities calibrated (the digit stays: scaling keeps their order). */
    public static Prediction calibrated(Prediction raw, Calibration calibration) {
        float[] p = calibration.apply(raw.probabilities());
        return p == raw.probabilities() ? raw : new Prediction(raw.digit(), p);
    }

    /** Classifies the images at {@code indices} (all when null) on {@code model}, in one call. */
    private void run(Model model, List<DigitImage> images, List<Integer> indices, Prediction[] predictions,
                     String[] versionOf, Calibration[] calibrationOf) {
        Calibration calibration = model.card().calibrationOrNone();
        long start = System.nanoTime();
        List<DigitImage> chosen = indices == null ? images : indices.stream().map(images::get).toList();
        List<Prediction> answers = model.classifier().classifyBatch(chosen);
        for (int k = 0; k < answers.size(); k++) {
            int i = indices == null ? k : indices.get(k);
            predictions[i] = calibrated(answers.get(k), calibration);
            versionOf[i] = model.version();
            calibrationOf[i] = calibration;
        }
        versions.answered(model.version(), answers.size(), System.nanoTime() - start);
    }
}
