package dev.stratus.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The images under test, built once per test JVM by {@code ./stratus images build --local-bases}
 * (the command users and docs/deploy.md run), from the jars this Maven build just packaged.
 */
final class Images {
    static final Path ROOT = Path.of(System.getProperty("stratus.root", "..")).toAbsolutePath().normalize();
    static final String SERVER = "stratus-server:0.1.0";
    static final String TRAINER = "stratus-trainer:0.1.0";
    static final String KAFKA = "stratus-kafka:4.1.1";
    static final String COUCHDB = "stratus-couchdb-standin:4.2.0";
    static final String BUSYBOX_BASE = "stratus-standin-busybox:1.37";
    static final String JRE_BASE = "stratus-standin-jre:17";
    static final Podman PODMAN = Podman.onPath();
    private static boolean built;

    private Images() {
    }

    static synchronized void build() {
        if (!built) {
            System.out.println("containers: building every image with ./stratus images build --local-bases");
            Podman.exec(List.of(ROOT.resolve("stratus").toString(), "images", "build", "--local-bases"), ROOT,
                    Duration.ofMinutes(20), line -> System.out.println("containers:   " + line)).orThrow();
            built = true;
        }
    }

    static String model() {
        return "stratus-model:" + shippedModelVersion();
    }

    static String shippedModelVersion() {
        try {
            return new ObjectMapper().readTree(ROOT.resolve("models/default/model-card.json").toFile())
                    .path("version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> all() {
        return List.of(SERVER, model(), TRAINER, KAFKA, COUCHDB);
    }
}
