package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.cluster.LocalCouchDb;
import dev.stratus.cluster.LocalKafkaCluster;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.TinyOnnx;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.SmokeTest;
import dev.stratus.server.AdminToken;
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.PredictionLoad;
import dev.stratus.server.ServerCli;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner;
import dev.stratus.server.models.VersionMeters;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka workers following the model control topic on real infrastructure (one KRaft broker, a
 * CouchDB-API server, a gateway, a worker on its real clients): promotions and rollbacks
 * published from a registry switch the worker under load without a failed request, and a
 * version that does not load is refused while the one serving keeps answering. The worker runs
 * a published shadow and publishes its meters, which the gateway's {@code GET /api/v1/models}
 * shows per worker and summed, leaving out workers gone silent or stopped; {@code publish-models
 * --watch} follows the registry and publishes each change from one process. The gateway, given the
 * registry and an admin token, serves the admin routes itself: it checks and publishes each change.
 */
class ModelFollowerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANDIDATE = "candidate-k";
    private static final String TOKEN = "follower-admin-token-0123456789";

    @TempDir
    static Path dir;
    static LocalKafkaCluster kafka;
    static LocalCouchDb couchDb;
    static KafkaSettings settings;
    static ModelRegistry registry;
    static String shipped;
    static ModelRouter router;
    static CouchDbPredictionStore workerStore;
    static InferenceWorker worker;
    static ModelFollower follower;
    static ShadowRunner shadows;
    static MeterPublisher meterPublisher;
    static Thread workerThread;
    static StratusServer gateway;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafkaCluster.start(dir.resolve("kafka"), 1);
        couchDb = LocalCouchDb.start(Files.createDirectories(dir.resolve("couchdb")));
        CouchDbSettings couch = CouchDbSettings.fromEnvironment(couchDb.clientEnvironment(), couchDb.url());
        settings = KafkaSettings.of(kafka.bootstrapServers(), 1, 0, kafka.clientProperties());
        registry = ModelRegistry.open(dir.resolve("registry"));
        shipped = registry.state().active();
        registry.keepSmokeSample(SmokeTest.of(Digits.mnist()));
        Path source = Files.createDirectories(dir.resolve("candidate"));
        Files.write(source.resolve(ModelContract.CARD_FILE), card(CANDIDATE));
        Files.write(source.resolve(ModelContract.MODEL_FILE), resource(ModelContract.MODEL_FILE));
        registry.add(source, registry.smokeTest().orElseThrow());

        router = new ModelRouter(Model.loadDefault(OnnxClassifier.Threads.DEFAULT));
        workerStore = CouchDbPredictionStore.open(couch);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        VersionMeters versions = new VersionMeters(meters);
        shadows = new ShadowRunner(meters);
        worker = InferenceWorker.connect(settings, "follower-worker", router, versions, shadows, workerStore, 64, meters);
        meterPublisher = new MeterPublisher(settings, "follower-worker",
                () -> MeterSnapshot.of("follower-worker", router, versions, shadows.disagreements(),
                        System.currentTimeMillis()),
                Duration.ofMillis(200));
        workerThread = new Thread(worker, "follower-worker");
        workerThread.start();
        follower = new ModelFollower(settings, "follower-worker", router, meters);
        Thread follow = new Thread(follower, "model-follower");
        follow.setDaemon(true);
        follow.start();
        gateway = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(dir.resolve("gw")).rateLimit(0, 1)
                .inferenceTimeout(Duration.ofSeconds(30)).admin(AdminToken.of(TOKEN)).build(),
                Backend.kafka(settings, couch, "follower-gw", 64, 16, registry.root()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (meterPublisher != null) {
            meterPublisher.close();
        }
        if (worker != null) {
            worker.close();
            workerThread.join(15_000);
        }
        if (shadows != null) {
            shadows.close();
        }
        if (router != null) {
            router.close();
        }
        if (workerStore != null) {
            workerStore.close();
        }
        if (couchDb != null) {
            couchDb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void promotions_and_rollbacks_published_to_the_control_topic_switch_the_worker_under_load() throws Exception {
        Http http = new Http(gateway.url());
        try (PredictionLoad load = new PredictionLoad(http, 2)) {
            load.awaitAnswers(50);
            for (int i = 0; i < 6; i++) {
                String next = i % 2 == 0 ? CANDIDATE : shipped;
                if (i % 2 == 0) {
                    registry.promote(CANDIDATE);
                } else {
                    registry.rollback();
                }
                ModelControl.publish(registry, settings, "test-publisher");
                awaitServing(http, next);
                for (int k = 0; k < 5; k++) {
                    assertThat(PredictionLoad.versionOf(http, k)).as("answers after swap %d", i).isEqualTo(next);
                }
            }
            load.stop();
            assertThat(load.failures()).as("failed requests during 6 swaps").isEmpty();
            assertThat(load.versions().keySet()).containsExactlyInAnyOrder(shipped, CANDIDATE);
        }

        Path broken = Files.createDirectories(registry.root().resolve("versions").resolve("broken"));
        Files.write(broken.resolve(ModelContract.CARD_FILE), card("broken"));
        Files.write(broken.resolve(ModelContract.MODEL_FILE), TinyOnnx.identity());
        String before = router.activeVersion();
        registry.promote("broken");
        ModelControl.publish(registry, settings, "test-publisher");
        Thread.sleep(2_000);
        assertThat(router.activeVersion()).as("the broken version is refused").isEqualTo(before);
        assertThat(PredictionLoad.versionOf(http, 3)).isEqualTo(before);
    }

    @Test
    void the_gateways_admin_routes_swap_the_workers_under_load_and_refuse_a_wrong_shape() throws Exception {
        Http http = new Http(gateway.url());
        Http admin = new Http(gateway.url(), Map.of("Authorization", "Bearer " + TOKEN));
        if (!registry.state().active().equals(shipped)) {
            assertThat(admin.postJson("/api/v1/models/promote", "{\"version\":\"" + shipped + "\"}").statusCode())
                    .isEqualTo(200);
        }
        awaitServing(http, shipped);
        assertThat(http.postJson("/api/v1/models/rollback", "").statusCode()).as("no token").isEqualTo(401);
        assertThat(admin.postJson("/api/v1/models/promote", "{}").statusCode()).as("no version").isEqualTo(400);
        try (PredictionLoad load = new PredictionLoad(http, 2)) {
            load.awaitAnswers(50);
            for (int i = 0; i < 4; i++) {
                String next = i % 2 == 0 ? CANDIDATE : shipped;
                var answer = i % 2 == 0 ? admin.postJson("/api/v1/models/promote", "{\"version\":\"" + CANDIDATE + "\"}")
                        : admin.postJson("/api/v1/models/rollback", "");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(JSON.readTree(answer.body()).get("active").asText()).isEqualTo(next);
                awaitServing(http, next);
            }
            load.stop();
            assertThat(load.failures()).as("failed requests during 4 swaps through the admin routes").isEmpty();
            assertThat(load.versions().keySet()).containsExactlyInAnyOrder(shipped, CANDIDATE);
        }

        Path wrong = Files.createDirectories(registry.root().resolve("versions").resolve("wrong-shape-k"));
        Files.write(wrong.resolve(ModelContract.CARD_FILE), card("wrong-shape-k"));
        Files.write(wrong.resolve(ModelContract.MODEL_FILE), TinyOnnx.identity());
        var refused = admin.postJson("/api/v1/models/promote", "{\"version\":\"wrong-shape-k\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("refused").asText()).contains("wrong-shape-k").contains("output shape");
        assertThat(JSON.readTree(refused.body()).get("published").asBoolean()).isFalse();
        assertThat(PredictionLoad.versionOf(http, 4)).as("the active version keeps answering").isEqualTo(shipped);
        var back = admin.postJson("/api/v1/models/rollback", "");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(JSON.readTree(back.body()).get("active").asText()).isEqualTo(shipped);
    }

    @Test
    void the_gateway_shows_the_workers_meters_and_the_shadow_they_run() throws Exception {
        Http http = new Http(gateway.url());
        if (!registry.state().active().equals(shipped)) {
            registry.promote(shipped);
        }
        registry.shadow(CANDIDATE);
        ModelControl.publish(registry, settings, "test-publisher");
        awaitView(http, "the worker running the shadow", view -> CANDIDATE.equals(worker(view, "follower-worker")
                .path("shadow").asText()));
        for (int i = 0; i < 20; i++) {
            assertThat(PredictionLoad.versionOf(http, i)).as("users get the active model's answers").isEqualTo(shipped);
        }
        JsonNode view = awaitView(http, "20 shadowed digits counted",
                v -> v.path("shadowAgreement").path("compared").asLong() >= 20);
        assertThat(view.get("shadowAgreement").get("version").asText()).isEqualTo(CANDIDATE);
        // The candidate is the shipped network under another name: it agrees on every digit.
        assertThat(view.get("shadowAgreement").get("disagreed").asLong()).isZero();
        JsonNode summed = version(view, shipped).get("live");
        assertThat(summed.get("requests").asLong()).isGreaterThanOrEqualTo(20);
        assertThat(summed.get("batches").asLong()).isPositive();
        assertThat(worker(view, "follower-worker").path("versions").path(shipped).path("requests").asLong())
                .isEqualTo(summed.get("requests").asLong());

        // Corrections arrive at the gateway, which counts them against the version that answered.
        JsonNode answer = JSON.readTree(http.postJson("/api/v1/predictions", Digits.pixelsJson(0)).body());
        assertThat(http.putJson("/api/v1/predictions/" + answer.get("id").asText() + "/label",
                "{\"label\": " + (answer.get("digit").asInt() + 1) % 10 + "}").statusCode()).isEqualTo(200);
        JsonNode corrected = version(JSON.readTree(http.get("/api/v1/models").body()), shipped).get("live");
        assertThat(corrected.get("corrections").asLong()).isEqualTo(1);
        assertThat(corrected.get("correctionShare").asDouble()).isPositive();

        // A worker silent for longer than STALE_AFTER is left out; one that stops (tombstone) goes at once.
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.common("test-meters"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.METERS, "gone-worker", snapshot("gone-worker",
                    now - MeterSnapshot.STALE_AFTER.toMillis() - 60_000).json())).get();
            producer.send(new ProducerRecord<>(Topics.METERS, "late-worker", snapshot("late-worker", now).json())).get();
            view = awaitView(http, "late-worker listed", v -> !worker(v, "late-worker").isMissingNode());
            assertThat(worker(view, "gone-worker").isMissingNode()).as("a stale worker").isTrue();
            assertThat(version(view, shipped).get("live").get("requests").asLong())
                    .as("summed over follower-worker and late-worker").isEqualTo(worker(view, "follower-worker")
                            .path("versions").path(shipped).path("requests").asLong() + 7);
            producer.send(new ProducerRecord<>(Topics.METERS, "late-worker", null)).get();
            awaitView(http, "late-worker gone after its tombstone", v -> worker(v, "late-worker").isMissingNode());
        } finally {
            registry.shadow(null);
            ModelControl.publish(registry, settings, "test-publisher");
        }
    }

    @Test
    void publish_models_watch_follows_the_registry_from_one_process() throws Exception {
        Http http = new Http(gateway.url());
        if (!registry.state().active().equals(shipped)) {
            registry.promote(shipped);
        }
        Map<String, String> env = new HashMap<>();
        kafka.clientProperties().forEach((key, value) ->
                env.put("STRATUS_KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        Thread watcher = new Thread(() -> ServerCli.commandLine(env).execute("publish-models", "--bootstrap",
                kafka.bootstrapServers(), "--registry", registry.root().toString(), "--watch"), "publish-models-watch");
        watcher.start();
        try {
            awaitServing(http, shipped);
            registry.promote(CANDIDATE);
            awaitServing(http, CANDIDATE);
            registry.rollback();
            awaitServing(http, shipped);
        } finally {
            watcher.interrupt();
            watcher.join(10_000);
        }
        assertThat(watcher.isAlive()).as("publish-models --watch stops when interrupted").isFalse();
    }

    private static MeterSnapshot snapshot(String worker, long at) {
        return new MeterSnapshot(worker, at, shipped, null, List.of(shipped),
                Map.of(shipped, Map.of("requests", 7, "batches", 1, "batchMeanMs", 1.0)), Map.of());
    }

    /** Polls {@code GET /api/v1/models} (at most 20 s) until {@code until} holds; the view that held. */
    private static JsonNode awaitView(Http http, String what, Predicate<JsonNode> until) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (true) {
            JsonNode view = JSON.readTree(http.get("/api/v1/models").body());
            if (until.test(view)) {
                return view;
            }
            assertThat(System.nanoTime()).as("%s within 20 s; last view %s", what, view).isLessThan(end);
            Thread.sleep(100);
        }
    }

    private static JsonNode worker(JsonNode view, String id) {
        for (JsonNode w : view.path("workers")) {
            if (w.path("worker").asText().equals(id)) {
                return w;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static JsonNode version(JsonNode view, String version) {
        for (JsonNode v : view.path("versions")) {
            if (v.path("version").asText().equals(version)) {
                return v;
            }
        }
        throw new AssertionError("no version " + version + " in " + view);
    }

    /** Waits (at most 20 s) until a new request is answered by {@code version}. */
    private static void awaitServing(Http http, String version) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!PredictionLoad.versionOf(http, 0).equals(version)) {
            assertThat(System.nanoTime()).as("%s serving within 20 s", version).isLessThan(end);
            Thread.sleep(50);
        }
    }

    private static byte[] card(String version) throws IOException {
        ObjectNode card = (ObjectNode) JSON.readTree(resource(ModelContract.CARD_FILE));
        card.put("version", version);
        return JSON.writeValueAsBytes(card);
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = ModelFollowerTest.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + file)) {
            return in.readAllBytes();
        }
    }
}
