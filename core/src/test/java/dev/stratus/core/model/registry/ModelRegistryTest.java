package dev.stratus.core.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.TestData;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.TinyOnnx;
import dev.stratus.core.model.registry.RegistryState.Role;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SmokeTest smoke;

    @TempDir
    Path dir;

    @BeforeAll
    static void sample() {
        smoke = SmokeTest.of(TestData.mnistTest());
    }

    @Test
    void an_empty_registry_starts_with_the_shipped_model_active() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));

        List<ModelRegistry.Entry> entries = registry.list();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).role()).isEqualTo(Role.ACTIVE);
        assertThat(registry.state().active()).isEqualTo(entries.get(0).version()).startsWith("stratus-");
        assertThat(ModelRegistry.open(dir.resolve("models")).list()).hasSize(1);
    }

    @Test
    void a_good_model_is_added_promoted_and_rolled_back() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        String shipped = registry.state().active();

        SmokeTest.Result result = registry.add(shippedCopy("candidate-2", null), smoke);
        assertThat(result.passed()).isTrue();
        assertThat(result.accuracy()).isGreaterThan(0.97);
        assertThat(registry.entry("candidate-2").role()).isEqualTo(Role.AVAILABLE);

        RegistryState promoted = registry.promote("candidate-2");
        assertThat(promoted.active()).isEqualTo("candidate-2");
        assertThat(promoted.previous()).isEqualTo(shipped);
        assertThat(registry.rollback().active()).isEqualTo(shipped);
        assertThat(registry.state().events()).extracting(RegistryState.Event::action)
                .containsExactly("add", "add", "promote", "promote");
    }

    @Test
    void canary_and_shadow_are_one_role_each_and_never_the_active_version() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        registry.add(shippedCopy("candidate-2", null), smoke);

        assertThat(registry.canary("candidate-2", 0.1).canary()).isEqualTo(new RegistryState.Canary("candidate-2", 0.1));
        RegistryState shadowed = registry.shadow("candidate-2");
        assertThat(shadowed.shadow()).isEqualTo("candidate-2");
        assertThat(shadowed.canary()).isNull();
        assertThatThrownBy(() -> registry.canary(registry.state().active(), 0.1))
                .isInstanceOf(RegistryException.class).hasMessageContaining("is the active version");
        assertThatThrownBy(() -> registry.canary("candidate-2", 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0 and 1");
        assertThat(registry.promote("candidate-2").shadow()).isNull();
    }

    @Test
    void a_corrupt_model_is_refused_and_nothing_changes() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        RegistryState before = registry.state();
        Path bad = shippedCopy("corrupt", null);
        Files.write(bad.resolve(ModelContract.MODEL_FILE), "not an onnx file".getBytes());

        assertThatThrownBy(() -> registry.add(bad, smoke))
                .isInstanceOf(RegistryException.class).hasMessageContaining("not a usable ONNX model");
        assertUnchanged(registry, before);
    }

    @Test
    void a_model_of_the_wrong_shape_is_refused() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        RegistryState before = registry.state();
        Path bad = shippedCopy("identity", null);
        Files.write(bad.resolve(ModelContract.MODEL_FILE), TinyOnnx.identity());

        assertThatThrownBy(() -> registry.add(bad, smoke))
                .isInstanceOf(RegistryException.class).hasMessageContaining("output shape");
        assertUnchanged(registry, before);
    }

    @Test
    void a_model_that_fails_its_smoke_test_is_refused_with_both_scores() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        RegistryState before = registry.state();
        Path bad = shippedCopy("uniform", null);
        Files.write(bad.resolve(ModelContract.MODEL_FILE), TinyOnnx.uniform());

        assertThatThrownBy(() -> registry.add(bad, smoke))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("uniform: ")
                .hasMessageContaining("its card claims 99.")
                .hasMessageContaining("refused");
        assertUnchanged(registry, before);
    }

    @Test
    void a_card_without_a_test_score_cannot_pass_the_smoke_test() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        Path noScore = shippedCopy("no-score", card -> card.remove("test"));

        assertThatThrownBy(() -> registry.add(noScore, smoke))
                .isInstanceOf(RegistryException.class).hasMessageContaining("claims no test accuracy");
    }

    @Test
    void unknown_retired_and_duplicate_versions_are_refused() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        registry.add(shippedCopy("candidate-2", null), smoke);

        assertThatThrownBy(() -> registry.promote("nope")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("no version nope").hasMessageContaining("candidate-2");
        assertThatThrownBy(() -> registry.promote("../etc")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("not a version name");
        assertThatThrownBy(() -> registry.add(shippedCopy("candidate-2", null), smoke))
                .isInstanceOf(RegistryException.class).hasMessageContaining("already registered");
        assertThatThrownBy(() -> registry.retire(registry.state().active())).isInstanceOf(RegistryException.class);
        registry.retire("candidate-2");
        assertThat(registry.entry("candidate-2").role()).isEqualTo(Role.RETIRED);
        assertThatThrownBy(() -> registry.promote("candidate-2")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("is retired");
        assertThatThrownBy(registry::rollback).isInstanceOf(RegistryException.class)
                .hasMessageContaining("nothing to roll back to");
    }

    @Test
    void the_smoke_sample_is_kept_beside_the_versions() throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
        assertThat(registry.smokeTest()).isEmpty();

        registry.keepSmokeSample(smoke);

        SmokeTest kept = registry.smokeTest().orElseThrow();
        assertThat(kept.sample().count()).isEqualTo(SmokeTest.SAMPLE);
        assertThat(kept.sample().labels()).isEqualTo(smoke.sample().labels());
        assertThat(kept.sample().pixels()).isEqualTo(smoke.sample().pixels());
    }

    private static void assertUnchanged(ModelRegistry registry, RegistryState before) throws IOException {
        assertThat(registry.state()).isEqualTo(before);
        assertThat(registry.list()).hasSize(1);
    }

    private interface CardEdit {
        void apply(ObjectNode card);
    }

    /** The shipped model's files in a new directory, its card renamed to {@code version} (and edited). */
    private Path shippedCopy(String version, CardEdit edit) throws IOException {
        Path target = Files.createDirectories(dir.resolve("sources").resolve(version + "-" + System.nanoTime()));
        ObjectNode card = (ObjectNode) JSON.readTree(resource(ModelContract.CARD_FILE));
        card.put("version", version);
        if (edit != null) {
            edit.apply(card);
        }
        JSON.writeValue(target.resolve(ModelContract.CARD_FILE).toFile(), card);
        Files.write(target.resolve(ModelContract.MODEL_FILE), resource(ModelContract.MODEL_FILE));
        return target;
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = ModelRegistryTest.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + file)) {
            return in.readAllBytes();
        }
    }
}
