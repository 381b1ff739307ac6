package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every image of deploy/docker, built from the real Dockerfiles, is what the manifests expect. */
class ImagesTest {
    private final ImagePolicy policy = new ImagePolicy(Images.PODMAN);

    @BeforeAll
    static void build() {
        Images.build();
    }

    @Test
    void every_image_is_built_and_runs_as_a_numeric_non_root_user() {
        for (String image : Images.all()) {
            policy.requireNonRootUser(image);
        }
    }

    @Test
    void server_image_carries_no_training_stack() {
        policy.requireNone(Images.SERVER, "/app/lib", Pattern.compile("(?i)djl|pytorch|torch|spark|scala"));
        assertThat(run(Images.SERVER, "ls", "-1", "/app/lib")).contains("onnxruntime-1.29.0.jar");
    }

    @Test
    void trainer_image_carries_pytorch_and_starts_its_entry_point_hardened() {
        assertThat(run(Images.TRAINER, "ls", "-1", "/app/lib")).contains("pytorch-native-cpu");
        assertThat(trainer("--help")).as("the entry point lists the training commands")
                .contains("train ", "retrain ", "train-verifier ", "compare-runs ");
        assertThat(trainer("retrain", "--help")).as("the retraining Job's command").contains("--feedback", "--registry");
    }

    private static String trainer(String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--read-only",
                "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", Images.TRAINER));
        command.addAll(List.of(args));
        return Images.PODMAN.run(Duration.ofSeconds(60), command.toArray(String[]::new)).orThrow();
    }

    @Test
    void model_image_copies_the_model_where_its_init_container_says_and_again_without_nesting(@TempDir Path dir)
            throws Exception {
        Path volume = Files.createDirectories(dir.resolve("models"));
        Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxrwxrwx"));  // for uid 10001
        for (int run = 0; run < 2; run++) {
            Images.PODMAN.run(Duration.ofSeconds(60), "run", "--rm", "--network", "none", "--read-only",
                    "-v", volume + ":/models", Images.model(), "/models/current").orThrow();
        }
        try (var files = Files.list(volume.resolve("current"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("model.onnx", "model-card.json");
        }
        assertThat(Files.readString(volume.resolve("current/model-card.json"))).contains(Images.shippedModelVersion());
    }

    private static String run(String image, String executable, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--entrypoint", executable, image));
        command.addAll(List.of(args));
        return Images.PODMAN.run(Duration.ofSeconds(60), null, command).orThrow();
    }
}
