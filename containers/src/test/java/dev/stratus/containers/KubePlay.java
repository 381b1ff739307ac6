package dev.stratus.containers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.cluster.LocalKafkaCluster;
import dev.stratus.cluster.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dev overlay played on this machine: rendered with {@code kubectl kustomize}, its gateway and
 * worker Deployments adapted by {@link LocalPlay}, the Kafka and CouchDB stand-ins as pods, all
 * run by {@code podman kube play --network host} and taken down by {@code podman kube down}.
 */
final class KubePlay implements AutoCloseable {
    static final String OVERLAY = "deploy/k8s/overlays/dev";
    final int kafkaPort = Processes.freePort();
    final int controllerPort = Processes.freePort();
    final int couchDbPort = Processes.freePort();
    final int gatewayPort = Processes.freePort();
    final int gatewayManagementPort = Processes.freePort();
    final int workerHealthPort = Processes.freePort();
    private final Path dir;
    private final List<Path> played = new ArrayList<>();
    private final Prober prober = new Prober(Images.PODMAN);

    KubePlay(Path dir) {
        this.dir = dir;
    }

    /** The rendered overlay's objects. */
    static List<ObjectNode> render(String overlay) {
        String yaml = Podman.exec(List.of("kubectl", "kustomize", overlay), Images.ROOT, Duration.ofSeconds(60), null)
                .orThrow();
        return Manifests.read(yaml);
    }

    LocalPlay localPlay() {
        return new LocalPlay(
                Map.of("--bootstrap", "127.0.0.1:" + kafkaPort, "--couchdb", couchDbUrl(),
                        "--host", "127.0.0.1", "--health-host", "127.0.0.1", "--replication-factor", "1"),
                Map.of(8080, gatewayPort, 8082, gatewayManagementPort, 8081, workerHealthPort),
                java.util.Set.of("STRATUS_KAFKA_"));
    }

    String couchDbUrl() {
        return "http://127.0.0.1:" + couchDbPort;
    }

    String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    /** Plays the Kafka and CouchDB stand-ins and waits until both serve; returns their pods. */
    List<ObjectNode> playStandIns() {
        String yaml = resource("standins.yaml")
                .replace("${KAFKA_IMAGE}", Images.KAFKA).replace("${COUCHDB_IMAGE}", Images.COUCHDB)
                .replace("${CLUSTER_ID}", LocalKafkaCluster.newClusterId())
                .replace("${KAFKA_PORT}", Integer.toString(kafkaPort))
                .replace("${CONTROLLER_PORT}", Integer.toString(controllerPort))
                .replace("${COUCHDB_PORT}", Integer.toString(couchDbPort));
        List<ObjectNode> pods = Manifests.read(yaml);
        play("standins", pods);
        awaitLog(pods.get(0), "kafka", "Kafka Server started", Duration.ofSeconds(120));
        prober.awaitHealthy(pods.get(1));
        return pods;
    }

    /** Plays {@code objects} from a file named {@code name}.yaml; returns the file. */
    Path play(String name, List<ObjectNode> objects) {
        Path file = dir.resolve(name + ".yaml");
        try {
            Files.writeString(file, Manifests.write(objects));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        played.add(file);
        Images.PODMAN.run(Duration.ofMinutes(2), "kube", "play", "--network", "host", file.toString()).orThrow();
        return file;
    }

    double awaitHealthy(ObjectNode object) {
        return prober.awaitHealthy(object);
    }

    Prober prober() {
        return prober;
    }

    void awaitLog(ObjectNode object, String container, String line, Duration bound) {
        String name = Prober.containerName(object, container);
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (Images.PODMAN.run(Duration.ofSeconds(30), "logs", name).output().contains(line)) {
                return;
            }
            prober.requireRunning(name, name);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerFailure("interrupted");
            }
        }
        throw new ContainerFailure(name + " did not log '" + line + "' within " + bound.toSeconds() + " s:\n"
                + prober.logs(name));
    }

    /** podman kube down of one played file. */
    void down(Path file) {
        played.remove(file);
        kubeDown(file).orThrow();
    }

    /**
     * podman kube down, again (up to three times, 2 s apart) when it fails: podman 4.3 sometimes
     * cannot yet unmount the shm of a container that was killed and restarted ("unlinkat
     * .../userdata/shm: device or resource busy"), and removes the pod on the next attempt.
     */
    private static Podman.Result kubeDown(Path file) {
        Podman.Result down = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            down = Images.PODMAN.run(Duration.ofMinutes(2), "kube", "down", file.toString());
            if (down.ok()) {
                return down;
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return down;
    }

    /** podman kube down of everything still played, newest first; the failures, if any, in one message. */
    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (int i = played.size() - 1; i >= 0; i--) {
            Path file = played.get(i);
            Podman.Result down = kubeDown(file);
            if (!down.ok()) {
                failures.add(file.getFileName() + ": " + down.output().strip());
            }
        }
        played.clear();
        if (!failures.isEmpty()) {
            throw new ContainerFailure("podman kube down failed: " + failures);
        }
    }

    static String resource(String name) {
        try (InputStream in = Objects.requireNonNull(KubePlay.class.getResourceAsStream("/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
