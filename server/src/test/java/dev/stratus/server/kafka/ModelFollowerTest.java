package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.PredictionLoad;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka workers following the model control topic on real infrastructure (one KRaft broker, a
 * CouchDB-API server, a gateway, a worker on its real clients): promotions and rollbacks
 * published from a registry switch the worker under load without a failed request, and a
 * version that does not load is refused while the one serving keeps answering.
 */
class ModelFollowerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANDIDATE = "candidate-k";

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
        worker = InferenceWorker.connect(settings, "follower-worker", router, workerStore, 64, meters);
        workerThread = new Thread(worker, "follower-worker");
        workerThread.start();
        follower = new ModelFollower(settings, "follower-worker", router, meters);
        Thread follow = new Thread(follower, "model-follower");
        follow.setDaemon(true);
        follow.start();
        gateway = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(dir.resolve("gw")).rateLimit(0, 1)
                .inferenceTimeout(Duration.ofSeconds(30)).build(), Backend.kafka(settings, couch, "follower-gw", 64, 16));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (worker != null) {
            worker.close();
            workerThread.join(15_000);
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
