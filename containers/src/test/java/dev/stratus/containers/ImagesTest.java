package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
    void trainer_image_carries_pytorch_and_the_training_jar() {
        assertThat(run(Images.TRAINER, "ls", "-1", "/app/lib")).contains("pytorch-native-cpu");
    }

    @Test
    void model_image_holds_the_shipped_model_and_copies_it_where_it_is_told() {
        String listing = Images.PODMAN.run(Duration.ofSeconds(60), "run", "--rm", "--network", "none",
                "--read-only", "--user", "10001", "--tmpfs", "/models:rw,mode=1777", "--entrypoint", "/bin/sh",
                Images.model(), "-c", "cp -R /model /models/current && ls /models/current").orThrow();
        assertThat(listing).contains("model.onnx", "model-card.json");
    }

    private static String run(String image, String executable, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--entrypoint", executable, image));
        command.addAll(List.of(args));
        return Images.PODMAN.run(Duration.ofSeconds(60), null, command).orThrow();
    }
}
