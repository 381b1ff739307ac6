package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.cluster.LocalCouchDb;
import dev.stratus.cluster.LocalKafkaCluster;
import dev.stratus.cluster.Processes;
import dev.stratus.cluster.StackCredentials;
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.store.CouchDbSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed pipeline on real infrastructure: a 3-broker KRaft Kafka cluster, a CouchDB-API
 * server, two gateways and two worker processes. Each scenario reports sent, answered, timed
 * out, stored, duplicated and lost, and fails if anything answered was lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static LocalKafkaCluster kafka;
    static LocalCouchDb couchDb;
    static final StackCredentials CREDENTIALS = StackCredentials.generate();
    static final Map<String, Process> workers = new HashMap<>();
    static final List<StratusServer> gateways = new ArrayList<>();
    static Http couch;
    static final Set<String> labelled = new HashSet<>();

    @BeforeAll
    static void startEverything() throws Exception {
        kafka = LocalKafkaCluster.start(dir.resolve("kafka"), 3, Map.of(), CREDENTIALS);
        couchDb = LocalCouchDb.start(Files.createDirectories(dir.resolve("couchdb")), Processes.freePort(),
                CREDENTIALS.couchDb());
        couch = new Http(couchDb.url(), Map.of("Authorization", couchDb.authorization()));
        for (String id : List.of("gw1", "gw2")) {
            gateways.add(StratusServer.start(ServerConfig.builder().port(0)
                            .dataDirectory(dir.resolve(id)).rateLimit(0, 1)
                            .inferenceTimeout(GATEWAY_TIMEOUT).build(),
                    Backend.kafka(KafkaSettings.of(kafka.bootstrapServers(), 6, 0, kafka.clientProperties()),
                            CouchDbSettings.fromEnvironment(couchDb.clientEnvironment(), couchDb.url()), id, 4096)));
        }
        startWorker("w1");
        startWorker("w2");
        warmUp();
    }

    @AfterAll
    static void stopEverything() {
        gateways.forEach(StratusServer::close);
        workers.values().forEach(DistributedPipelineTest::stopWorker);
        if (couchDb != null) {
            couchDb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Order(1)
    void predictions_flow_through_two_gateways_kafka_two_workers_and_couchdb() throws Exception {
        LoadTally tally = LoadTally.run(urls(), 40, 5, 0, null);

        Report report = report("end-to-end", tally);
        assertThat(tally.answered()).isEqualTo(tally.sent.get());
        assertThat(tally.correct.get()).isGreaterThanOrEqualTo((int) (0.98 * tally.answered()));
        assertThat(report.lost()).isZero();
        String id = tally.answeredIds.peek();
        JsonNode doc = JSON.readTree(couch.get("/predictions/" + id).body());
        assertThat(doc.get("type").asText()).isEqualTo("prediction");
        assertThat(doc.get("probabilities")).hasSize(10);
        JsonNode viaGateway = JSON.readTree(new Http(urls().get(1)).get("/api/v1/predictions/" + id).body());
        assertThat(viaGateway.get("digit").asInt()).isEqualTo(doc.get("digit").asInt());
        // The answer is the record the worker stored: every field but the timings, createdAt
        // included, as another gateway reads it back.
        JsonNode answer = JSON.readTree(new Http(urls().get(0)).postJson("/api/v1/predictions", Digits.pixelsJson(7)).body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) answer).remove("timings");
        assertThat(JSON.readTree(new Http(urls().get(1)).get("/api/v1/predictions/" + answer.get("id").asText()).body()))
                .isEqualTo(answer);
        labelled.add(id);
        assertThat(new Http(urls().get(0)).putJson("/api/v1/predictions/" + id + "/label", "{\"label\": 3}")
                .statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(couch.get("/predictions/" + id).body()).get("label").asInt()).isEqualTo(3);
    }

    @Test
    @Order(2)
    void the_hop_benchmark_times_each_hop_and_leaves_nothing_behind() throws Exception {
        CouchDbSettings couchSettings = CouchDbSettings.fromEnvironment(couchDb.clientEnvironment(), couchDb.url());
        List<String> told = new ArrayList<>();
        List<HopBenchmark.Hop> hops = new HopBenchmark(KafkaSettings.of(kafka.bootstrapServers(), 6, 0,
                kafka.clientProperties()),
                couchSettings, 20, 3, told::add).run();

        assertThat(hops).extracting(HopBenchmark.Hop::name).containsExactly("kafka", "kafka-floor", "couchdb");
        assertThat(told).hasSize(3);
        for (HopBenchmark.Hop hop : hops) {
            assertThat(hop.micros()).hasSize(20);
            assertThat(hop.micros()[0]).as("the fastest sample of " + hop.name()).isPositive();
            assertThat(hop.millis(0.5)).isLessThanOrEqualTo(hop.millis(0.99)).isLessThanOrEqualTo(hop.millis(1.0));
        }
        assertThat(hops.get(0).what()).contains("3 replica(s), acks=all");
        Map<String, Object> adminConfig = new HashMap<>(kafka.clientProperties());
        adminConfig.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(adminConfig)) {
            // Brokers learn of a deletion from the controller a moment later.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Set<String> topics = admin.listTopics().names().get();
            while ((topics.contains(HopBenchmark.TOPIC) || topics.contains(HopBenchmark.FLOOR_TOPIC))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
                topics = admin.listTopics().names().get();
            }
            assertThat(topics).doesNotContain(HopBenchmark.TOPIC, HopBenchmark.FLOOR_TOPIC);
        }
        assertThat(couch.get("/" + HopBenchmark.DATABASE).statusCode()).isEqualTo(404);
        assertThat(couch.get("/predictions").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void poison_messages_go_to_the_dead_letter_topic_and_workers_keep_serving() throws Exception {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put("bootstrap.servers", kafka.bootstrapServers());
        byte[] wrongVersion = new byte[785];
        wrongVersion[0] = 7;
        Map<String, byte[]> poison = Map.of("poison-garbage", "not an image at all".getBytes(StandardCharsets.UTF_8),
                "poison-short", new byte[] {1, 2, 3}, "poison-version", wrongVersion, "poison-empty", new byte[0]);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            poison.forEach((key, value) -> producer.send(new ProducerRecord<>(Topics.REQUESTS, key, value)));
        }

        Map<String, String> reasons = new HashMap<>();
        props.put("group.id", "dlq-reader");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTERS));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (reasons.size() < poison.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    var reason = record.headers().lastHeader(Topics.DLQ_REASON);
                    reasons.put(record.key(), reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(reasons).containsOnlyKeys(poison.keySet());
        assertThat(reasons.get("poison-short")).contains("expected 785 bytes, got 3");
        assertThat(reasons.get("poison-version")).contains("unknown message version 7");

        LoadTally after = LoadTally.run(urls(), 20, 2, 0, null);
        report("after-poison", after);
        assertThat(after.answered()).isEqualTo(after.sent.get());
    }

    @Test
    @Order(4)
    void killing_a_worker_under_load_loses_nothing_that_was_answered() throws Exception {
        LoadTally tally = LoadTally.run(urls(), 30, 20, 4, () -> workers.get("w1").destroyForcibly());

        Report report = report("worker-killed", tally);
        // Every request is answered: the dead worker's partitions move to w2 after the 10 s
        // session timeout plus a rebalance, within the gateways' 15 s timeout, and its batches
        // that were not committed are processed again (redelivered) and answered from the store.
        assertEveryRequestAnswered(tally, report);
        startWorker("w1");
    }

    @Test
    @Order(5)
    void a_couchdb_outage_delays_answers_but_loses_and_duplicates_nothing() throws Exception {
        LoadTally tally = LoadTally.run(urls(), 20, 20, 3, () -> new Thread(() -> {
            couchDb.stop();
            sleep(6_000);
            couchDb.start();
        }).start());

        Report report = report("couchdb-outage", tally);
        // A 6 s outage is shorter than the 15 s gateway timeout: workers hold their batches and
        // retry, so every request is answered, late.
        assertEveryRequestAnswered(tally, report);
    }

    @Test
    @Order(6)
    void killing_a_broker_under_load_loses_no_acknowledged_request() throws Exception {
        LoadTally tally = LoadTally.run(urls(), 30, 20, 4, () -> kafka.kill(2));

        Report report = report("broker-killed", tally);
        // With 3 replicas and acks=all, the partitions the dead broker led get a new leader in
        // seconds; producers and consumers retry, so every request is answered.
        assertEveryRequestAnswered(tally, report);
        LoadTally recovered = LoadTally.run(urls(), 20, 3, 0, null);
        report("after-broker-kill", recovered);
        assertThat(recovered.answered()).as("the pipeline recovers without a restart").isEqualTo(recovered.sent.get());
    }

    private static void assertEveryRequestAnswered(LoadTally tally, Report report) {
        assertThat(tally.otherFailures()).isZero();
        assertThat(report.timedOut()).isZero();
        assertThat(tally.answered()).isEqualTo(tally.sent.get());
        assertThat(report.lost()).isZero();
        assertThat(report.duplicated()).isZero();
        assertThat(report.differ()).isZero();
    }

    /**
     * The counts of one scenario, checked against CouchDB. Duplicated: an id answered twice, or
     * a document written more than once. Redelivered (not an error): requests a worker found
     * stored already and answered from the store, as the workers' logs count them.
     */
    record Report(int sent, int answered, int timedOut, int stored, int duplicated, int redelivered, int differ,
                  int lost) {
    }

    private static int redeliveredBefore;

    private static Report report(String scenario, LoadTally tally) throws IOException {
        Set<String> answered = new HashSet<>(tally.answeredIds);
        int stored = 0;
        int differ = 0;
        int duplicated = tally.answeredIds.size() - answered.size();
        for (String id : answered) {
            JsonNode doc = awaitStored(id);
            if (doc != null) {
                stored++;
                // A document written once has revision 1; a second write would show 2 or more.
                if (!doc.get("_rev").asText().startsWith("1-") && !labelled.contains(id)) {
                    duplicated++;
                }
                LoadTally.Answer record = new LoadTally.Answer(java.time.Instant.parse(doc.get("createdAt").asText()),
                        doc.get("digit").asInt());
                if (!record.equals(tally.answers.get(id))) {
                    differ++;
                }
            }
        }
        int redeliveredNow = redeliveredSoFar();
        Report report = new Report(tally.sent.get(), tally.answered(), tally.timedOut(), stored, duplicated,
                redeliveredNow - redeliveredBefore, differ, answered.size() - stored);
        redeliveredBefore = redeliveredNow;
        String line = String.format("%s: sent %d, answered %d, timed out %d, other failures %d, stored %d, "
                        + "duplicated %d, redelivered %d, answer differs from record %d, lost %d%n", scenario,
                report.sent(), report.answered(), report.timedOut(), tally.otherFailures(), report.stored(),
                report.duplicated(), report.redelivered(), report.differ(), report.lost());
        System.out.print(line);
        Path out = Path.of("target", "reliability");
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.txt"), line, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return report;
    }

    /** The stored document, or null if it never appears. */
    private static JsonNode awaitStored(String id) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpResponse<String> response = couch.get("/predictions/" + id);
                if (response.statusCode() == 200) {
                    return JSON.readTree(response.body());
                }
            } catch (RuntimeException | IOException e) {
                // CouchDB may be restarting; look again.
            }
            sleep(200);
        }
        return null;
    }

    /** Requests the workers found stored already, from the "redelivered: N" lines their logs keep. */
    private static int redeliveredSoFar() throws IOException {
        int total = 0;
        for (String id : workers.keySet()) {
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("redelivered: (\\d+) request")
                    .matcher(Files.readString(dir.resolve("worker-" + id + ".log")));
            while (matcher.find()) {
                total += Integer.parseInt(matcher.group(1));
            }
        }
        return total;
    }

    private static List<String> urls() {
        return gateways.stream().map(StratusServer::url).toList();
    }

    private static void startWorker(String id) throws IOException {
        Path log = dir.resolve("worker-" + id + ".log");
        // The log is appended to across restarts (its redelivery lines are counted): look for
        // this start's ready line only.
        int from = Files.exists(log) ? Files.readString(log).length() : 0;
        String java = ProcessHandle.current().info().command().orElse("java");
        // The production classpath, as a deployed worker has it (not the test classpath).
        String classpath = Path.of("target", "classes").toAbsolutePath() + ":"
                + Path.of("target", "lib").toAbsolutePath() + "/*";
        // As the stack starts its children: its own process group, gone when this JVM dies.
        // The logins in the environment, as the stack gives them.
        Map<String, String> environment = CREDENTIALS.clientEnvironment();
        Process process = Processes.start(List.of(java, "-Xmx512m", "-cp", classpath,
                "dev.stratus.server.ServerCli", "worker", "--bootstrap", kafka.bootstrapServers(),
                "--couchdb", couchDb.url(), "--worker-id", id), environment, dir, log);
        workers.put(id, process);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).substring(from).contains("Worker " + id + " ready")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("worker " + id + " died: " + Files.readString(log));
            }
            sleep(200);
        }
        throw new IllegalStateException("worker " + id + " did not start: " + Files.readString(log));
    }

    private static void stopWorker(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Until both workers own partitions, the first requests wait; send until answers come quickly. */
    private static void warmUp() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 90_000_000_000L;
        int consecutive = 0;
        while (consecutive < 20 && System.nanoTime() < deadline) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(urls().get(consecutive % 2)
                            + "/api/v1/predictions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Digits.pixelsJson(consecutive))).build(),
                    HttpResponse.BodyHandlers.ofString());
            consecutive = response.statusCode() == 200 ? consecutive + 1 : 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
