package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken copies of the shipped server Dockerfile, built by podman from the real build context:
 * each one fails with the image and the cause in the message. (The broken manifests are in
 * KubePlayTest, where the stand-ins they need are running.)
 */
class BrokenImagesTest {
    private static final String TAG = "stratus-it-broken-server:1";

    @TempDir
    static Path dir;

    @BeforeAll
    static void build() {
        Images.build();
    }

    @AfterAll
    static void removeImage() {
        Images.PODMAN.run(Duration.ofSeconds(60), "rmi", "-f", TAG);
    }

    @Test
    void a_wrong_jar_path_fails_the_build_naming_the_image_and_the_missing_file() {
        Path broken = mutant("wrong-jar", "server/target/stratus-server-0.1.0.jar /app/", "server/target/stratus-server-0.2.0.jar /app/");
        assertThatThrownBy(() -> buildImage(broken))
                .isInstanceOf(ContainerFailure.class)
                .hasMessageContaining("image " + TAG).hasMessageContaining("wrong-jar.Dockerfile")
                .hasMessageContaining("stratus-server-0.2.0.jar");
    }

    @Test
    void a_root_user_is_refused_naming_the_image() {
        Path broken = mutant("root-user", "USER 10001:10001\n", "");
        buildImage(broken);
        assertThatThrownBy(() -> new ImagePolicy(Images.PODMAN).requireNonRootUser(TAG))
                .isInstanceOf(ContainerFailure.class)
                .hasMessageContaining("image " + TAG + " runs as user 'root (no USER)'");
    }

    @Test
    void the_unbroken_dockerfile_passes_the_same_checks() {
        buildImage(mutant("unbroken", "", ""));
        new ImagePolicy(Images.PODMAN).requireNonRootUser(TAG);
        assertThat(Images.PODMAN.run(Duration.ofSeconds(30), "image", "exists", TAG).ok()).isTrue();
    }

    /** deploy/docker/server.Dockerfile with {@code from} replaced by {@code to} (which must change it, unless both are empty). */
    private static Path mutant(String name, String from, String to) {
        try {
            String original = Files.readString(Images.ROOT.resolve("deploy/docker/server.Dockerfile"));
            String changed = original.replace(from, to);
            if (!from.isEmpty() && changed.equals(original)) {
                throw new IllegalStateException("stale fixture " + name + ": '" + from + "' is not in server.Dockerfile");
            }
            Path file = dir.resolve(name + ".Dockerfile");
            Files.writeString(file, changed);
            Files.copy(Images.ROOT.resolve("deploy/docker/server.Dockerfile.dockerignore"),
                    dir.resolve(name + ".Dockerfile.dockerignore"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void buildImage(Path dockerfile) {
        Podman.Result build = Images.PODMAN.run(Duration.ofMinutes(5), null, List.of("build", "--network", "host",
                "--pull=never", "-f", dockerfile.toString(), "--ignorefile", dockerfile + ".dockerignore",
                "--build-arg", "JRE_BASE=" + Images.JRE_BASE, "-t", TAG, Images.ROOT.toString()));
        if (!build.ok()) {
            throw new ContainerFailure("image " + TAG + " (" + dockerfile.getFileName() + ") failed to build:\n"
                    + Podman.tail(build.output(), 10));
        }
    }
}
