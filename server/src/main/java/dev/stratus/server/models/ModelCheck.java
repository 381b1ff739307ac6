package dev.stratus.server.models;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.SmokeTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a freshly loaded model goes through before it may serve, wherever it was loaded from (the
 * registry's directory or a control message): batches of 1-64 through its new sessions, so its
 * first requests are not its slowest, and its smoke test.
 */
public final class ModelCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCheck.class);

    private ModelCheck() {
    }

    /** Warms {@code model} and runs {@code smoke} on it, if there is one; refuses it when the test fails. */
    public static void warmAndCheck(Model model, Optional<SmokeTest> smoke) throws RegistryException {
        if (smoke.isEmpty()) {
            LOG.info("model {} loaded; no smoke sample to check it against", model.version());
            return;
        }
        warm(model, smoke.get().sample());
        SmokeTest.Result result = smoke.get().check(model);
        if (!result.passed()) {
            throw new RegistryException(result.message());
        }
        LOG.info("model {} loaded: {}", model.version(), result.message());
    }

    /**
     * Loads {@code version} from {@code registry} and runs its smoke test, if the registry keeps a
     * sample, without warming: what a Kafka gateway does before it publishes a version to workers.
     */
    public static void verify(ModelRegistry registry, String version) throws IOException, RegistryException {
        try (Model model = registry.load(version, OnnxClassifier.Threads.SINGLE)) {
            Optional<SmokeTest> smoke = registry.smokeTest();
            if (smoke.isPresent()) {
                SmokeTest.Result result = smoke.get().check(model);
                if (!result.passed()) {
                    throw new RegistryException(version + ": " + result.message());
                }
            }
        }
    }

    private static void warm(Model model, LabeledImages sample) {
        Preprocessor preprocessor = new Preprocessor();
        List<DigitImage> digits = new ArrayList<>(64);
        for (int i = 0; i < Math.min(64, sample.count()); i++) {
            digits.add(preprocessor.apply(sample.image(i)));
        }
        for (int size : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            for (int round = 0; round < 3; round++) {
                model.classifier().classifyBatch(digits.subList(0, Math.min(size, digits.size())));
            }
        }
    }
}
