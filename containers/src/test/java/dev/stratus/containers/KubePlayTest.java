package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.cluster.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev overlay's gateway and worker Deployments, played by podman beside Kafka and CouchDB
 * stand-ins: every probe healthy, real digits through gateway -> Kafka -> worker -> store, the
 * worker killed and replaced by podman's restart with nothing lost, and nothing left afterwards.
 * The worker serves the model of the model image (its init container's hand-off): the test builds
 * that image with a version of its own, and every answer must carry it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubePlayTest {
    @TempDir
    static Path dir;
    static KubePlay play;
    private static final Set<String> REPORTED = new HashSet<>();

    @BeforeAll
    static void playStandIns() {
        Images.build();
        play = new KubePlay(dir);
        long started = System.nanoTime();
        play.playStandIns();
        report("stand-ins (Kafka, CouchDB)", started);
    }

    @AfterAll
    static void nothingLeft() {
        play.close();
        assertThat(Images.PODMAN.run(Duration.ofSeconds(30), "ps", "-a", "--format", "{{.Names}}").orThrow())
                .as("containers left after podman kube down").doesNotContain("stratus-gateway", "stratus-worker",
                        "stratus-it-kafka", "stratus-it-couchdb");
        assertThat(Images.PODMAN.run(Duration.ofSeconds(30), "pod", "ps", "--format", "{{.Name}}").orThrow())
                .as("pods left after podman kube down").doesNotContain("stratus-");
    }

    /** A Deployment of the rendered dev overlay, as podman plays it here. */
    private static ObjectNode deployment(String name) {
        ObjectNode deployment = Manifests.find(KubePlay.render(KubePlay.OVERLAY), "Deployment", name);
        LocalPlay local = play.localPlay();
        local.apply(deployment);
        local.removed().stream().filter(REPORTED::add)
                .forEach(line -> System.out.println("containers: kube play: removed " + line));
        return deployment;
    }

    private static ObjectNode gatewayContainer(ObjectNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    @Order(1)
    void dev_overlay_serves_real_digits_through_kafka_and_survives_a_worker_kill() throws Exception {
        String modelVersion = Images.shippedModelVersion() + "-image";
        String modelImage = buildModelImage(modelVersion);
        ObjectNode gateway = deployment("stratus-gateway");
        ObjectNode worker = deployment("stratus-worker");
        ((ObjectNode) worker.path("spec").path("template").path("spec").path("initContainers").get(0))
                .put("image", modelImage);
        long started = System.nanoTime();
        Path workerFile = play.play("worker", List.of(worker));
        play.awaitHealthy(worker);
        report("stratus-worker", started);

        started = System.nanoTime();
        Path gatewayFile = play.play("gateway", List.of(gateway));
        play.awaitHealthy(gateway);
        report("stratus-gateway", started);

        Traffic first = Traffic.send(play.gatewayUrl(), 100, 25, 0, null);
        System.out.println("containers: kube play: before the kill: " + first);
        assertThat(first.answered()).as(first.toString()).isEqualTo(100);
        assertThat(first.correct).as(first.toString()).isGreaterThanOrEqualTo(97);
        assertThat(first.modelVersions).as("the model image's version, not the jar's").containsExactly(modelVersion);
        String id = first.answeredIds.iterator().next();
        JsonNode record = Traffic.get(play.gatewayUrl() + "/api/v1/predictions/" + id);
        assertThat(record.path("modelVersion").asText()).as("the stored record, read back through the gateway")
                .isEqualTo(modelVersion);

        String workerContainer = Prober.containerName(worker, "worker");
        CompletableFuture<Double> recovered = new CompletableFuture<>();
        Traffic during = Traffic.send(play.gatewayUrl(), 300, 30, 3, () -> {
            long killed = System.nanoTime();
            killHard(workerContainer);
            CompletableFuture.runAsync(() -> {
                awaitRestart(workerContainer);
                play.awaitHealthy(worker);
            }).whenComplete((done, failure) -> {
                if (failure != null) {
                    recovered.completeExceptionally(failure);
                } else {
                    recovered.complete((System.nanoTime() - killed) / 1e9);
                }
            });
        });
        System.out.println("containers: kube play: worker killed after 3 s: " + during);
        System.out.printf("containers: kube play: stratus-worker restarted by podman and healthy %.1f s after kill -9%n",
                recovered.get(90, TimeUnit.SECONDS));

        Traffic after = Traffic.send(play.gatewayUrl(), 50, 25, 0, null);
        assertThat(after.answered()).as("the restarted worker takes over: " + after).isEqualTo(50);

        int sent = first.sent + during.sent + after.sent;
        Set<String> answered = new HashSet<>(first.answeredIds);
        answered.addAll(during.answeredIds);
        answered.addAll(after.answeredIds);
        Set<String> stored = awaitStored(play.couchDbUrl(), sent, Duration.ofSeconds(60));
        Set<String> lost = new HashSet<>(answered);
        lost.removeAll(stored);
        System.out.printf("containers: kube play: worker kill: sent %d, answered %d, timed out %d, stored %d,"
                        + " lost %d (answered but not stored), unaccounted %d (sent but not stored)%n",
                sent, answered.size(), during.statuses.getOrDefault(504, 0), stored.size(), lost.size(),
                sent - stored.size());
        assertThat(lost).as("answered but not stored").isEmpty();
        assertThat(stored).as("every digit sent is stored exactly once, answered or not").hasSize(sent);
        assertThat(during.failed).as("connection failures at the gateway").isZero();
        assertThat(during.modelVersions).containsExactly(modelVersion);
        play.down(gatewayFile);
        play.down(workerFile);
    }

    // --- broken manifests: each fails with the Deployment and the cause in the message -----------

    @Test
    @Order(2)
    void a_readiness_probe_on_the_wrong_port_fails_naming_the_deployment_and_the_probe() {
        ObjectNode gateway = deployment("stratus-gateway");
        int wrong = Processes.freePort();
        ((ObjectNode) gatewayContainer(gateway).path("readinessProbe").path("httpGet")).put("port", wrong);
        assertBroken("broken-probe", gateway, "Deployment stratus-gateway, container gateway: readinessProbe GET http://127.0.0.1:"
                + wrong + "/health/ready did not succeed");
    }

    @Test
    @Order(3)
    void a_missing_pipeline_flag_fails_naming_the_path_it_could_not_write() {
        ObjectNode gateway = deployment("stratus-gateway");
        removeWhere(gatewayContainer(gateway).path("args"), arg -> arg.asText().startsWith("--pipeline="));
        // Without --pipeline=kafka the gateway is embedded and wants a data directory on the read-only root.
        assertBroken("broken-flag", gateway, "Read-only file system");
    }

    @Test
    @Order(4)
    void a_missing_tmp_volume_fails_naming_the_directory() {
        ObjectNode gateway = deployment("stratus-gateway");
        removeWhere(gatewayContainer(gateway).path("volumeMounts"), mount -> "/tmp".equals(mount.path("mountPath").asText()));
        assertBroken("broken-volume", gateway, "the temporary directory /tmp is not writable");
    }

    private static void removeWhere(JsonNode list, Predicate<JsonNode> unwanted) {
        ((ArrayNode) list).removeIf(unwanted);
    }

    private static void assertBroken(String name, ObjectNode deployment, String expected) {
        Path file = play.play(name, List.of(deployment));
        try {
            assertThatThrownBy(() -> play.awaitHealthy(deployment))
                    .isInstanceOf(ContainerFailure.class)
                    .hasMessageContaining("Deployment stratus-gateway")
                    .hasMessageContaining(expected);
        } finally {
            play.down(file);
        }
    }

    /** The real model Dockerfile on a copy of the shipped model whose card carries {@code version}. */
    private static String buildModelImage(String version) throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(Images.ROOT.resolve("models/default/model.onnx"), model.resolve("model.onnx"));
        String card = Files.readString(Images.ROOT.resolve("models/default/model-card.json"));
        Files.writeString(model.resolve("model-card.json"),
                card.replace("\"" + Images.shippedModelVersion() + "\"", "\"" + version + "\""));
        String tag = "stratus-model:" + version;
        Images.PODMAN.run(Duration.ofMinutes(2), "build", "--pull=never", "-f",
                Images.ROOT.resolve("deploy/docker/model.Dockerfile").toString(),
                "--build-arg", "BUSYBOX_BASE=" + Images.BUSYBOX_BASE, "-t", tag, model.toString()).orThrow();
        return tag;
    }

    /** kill -9 of the worker's JVM from the host, as an OOM kill or a crash would end it. */
    private static void killHard(String container) {
        String pid = Images.PODMAN.run(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Pid}}", container)
                .orThrow().strip();
        ProcessHandle.of(Long.parseLong(pid)).orElseThrow(() -> new ContainerFailure("no process " + pid))
                .destroyForcibly();
    }

    private static void awaitRestart(String container) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String state = Images.PODMAN.run(Duration.ofSeconds(30), "inspect", "--format",
                    "{{.RestartCount}} {{.State.Status}}", container).orThrow().strip();
            if (!state.startsWith("0 ") && state.endsWith("running")) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerFailure("interrupted");
            }
        }
        throw new ContainerFailure(container + " was not restarted within 60 s after kill -9");
    }

    /** The prediction ids in CouchDB, once there are {@code expected} of them (or the bound passes). */
    private static Set<String> awaitStored(String couchDb, int expected, Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        Set<String> ids = new HashSet<>();
        while (System.nanoTime() < deadline) {
            ids.clear();
            for (JsonNode row : Traffic.get(couchDb + "/predictions/_all_docs").path("rows")) {
                if (!row.path("id").asText().startsWith("_design/")) {
                    ids.add(row.path("id").asText());
                }
            }
            if (ids.size() >= expected) {
                break;
            }
            Thread.sleep(500);
        }
        return ids;
    }

    private static void report(String what, long startedNanos) {
        System.out.printf("containers: kube play: %s healthy %.1f s after play%n", what, (System.nanoTime() - startedNanos) / 1e9);
    }
}
