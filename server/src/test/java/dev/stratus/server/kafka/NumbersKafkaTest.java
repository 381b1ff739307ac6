package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.cluster.LocalCouchDb;
import dev.stratus.cluster.LocalKafkaCluster;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.segment.SegmentedNumber;
import dev.stratus.core.segment.Segmenter;
import dev.stratus.server.Backend;
import dev.stratus.server.Http;
import dev.stratus.server.Numbers;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers in Kafka mode on real infrastructure: one KRaft broker, a CouchDB-API server, two
 * gateways (one allowing 3 digits at most) and one worker in this JVM on its real clients. A
 * number travels as one message and comes back as the worker read and stored it.
 */
class NumbersKafkaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/v1/numbers";

    @TempDir
    static Path dir;
    static LocalKafkaCluster kafka;
    static LocalCouchDb couchDb;
    static Model model;
    static CouchDbPredictionStore workerStore;
    static InferenceWorker worker;
    static Thread workerThread;
    static StratusServer gateway;
    static StratusServer strict;

    @BeforeAll
    static void start() throws IOException {
        kafka = LocalKafkaCluster.start(dir.resolve("kafka"), 1);
        couchDb = LocalCouchDb.start(Files.createDirectories(dir.resolve("couchdb")));
        CouchDbSettings couch = CouchDbSettings.fromEnvironment(couchDb.clientEnvironment(), couchDb.url());
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), 1, 0, kafka.clientProperties());
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        workerStore = CouchDbPredictionStore.open(couch);
        worker = InferenceWorker.connect(settings, "numbers-worker", model, workerStore, 64, new SimpleMeterRegistry());
        workerThread = new Thread(worker, "numbers-worker");
        workerThread.start();
        gateway = StratusServer.start(gatewayConfig(dir.resolve("gw")).build(),
                Backend.kafka(settings, couch, "numbers-gw", 64, 16));
        strict = StratusServer.start(gatewayConfig(dir.resolve("strict")).build(),
                Backend.kafka(settings, couch, "numbers-strict", 64, 3));
    }

    private static ServerConfig.Builder gatewayConfig(Path data) {
        return ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).inferenceTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (StratusServer server : new StratusServer[] {gateway, strict}) {
            if (server != null) {
                server.close();
            }
        }
        if (worker != null) {
            worker.close();
            workerThread.join(15_000);
        }
        if (workerStore != null) {
            workerStore.close();
        }
        if (model != null) {
            model.close();
        }
        if (couchDb != null) {
            couchDb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void a_number_comes_back_as_the_worker_read_it_in_one_batch_and_is_stored_and_correctable() throws Exception {
        Http http = new Http(gateway.url());
        Segmenter local = new Segmenter(model.classifier());
        int exact = 0;
        for (NumberComposer.Composed number : Numbers.composed(6, 4, 6, NumberComposer.Spacing.GAPPED, 42)) {
            byte[] png = Numbers.png(number.image());
            HttpResponse<String> response = http.post(API, "image/png", png);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(response.body());
            // What the worker saw is the PNG's pixels: the same segmentation here reads the same number.
            SegmentedNumber expected = local.segment(quantised(number.image()));
            assertThat(answer.get("number").asText()).isEqualTo(expected.text());
            assertThat(answer.get("digits")).hasSize(expected.digits().size());
            assertThat(answer.get("digits").get(0).get("box").get("x").asInt()).isEqualTo(expected.digits().get(0).box().x());
            assertThat(answer.get("digits").get(0).get("input")).hasSize(784);
            exact += answer.get("number").asText().equals(number.label()) ? 1 : 0;

            String id = answer.get("id").asText();
            JsonNode stored = JSON.readTree(http.get(API + "/" + id).body());
            ((ObjectNode) answer).remove("timings");
            assertThat(stored).as("the answer is the record the worker stored").isEqualTo(answer);
        }
        assertThat(exact).as("of 6 gapped numbers of 4-6 digits").isGreaterThanOrEqualTo(5);

        JsonNode one = JSON.readTree(http.post(API, "image/png", Numbers.png(
                Numbers.composed(1, 3, 3, NumberComposer.Spacing.GAPPED, 8).get(0).image())).body());
        String label = "0".repeat(one.get("number").asText().length());
        HttpResponse<String> labelled = http.putJson(API + "/" + one.get("id").asText() + "/label",
                "{\"label\": \"" + label + "\"}");
        assertThat(labelled.statusCode()).as(labelled.body()).isEqualTo(200);
        assertThat(workerStore.numbers().find(one.get("id").asText()))
                .hasValueSatisfying(n -> assertThat(n.label()).isEqualTo(label));
    }

    @Test
    void blank_noise_and_too_long_are_400_through_the_worker_too() throws Exception {
        Http http = new Http(gateway.url());
        assertError(http.postJson(API, Numbers.json(Numbers.blank(300, 100))), 400, "blank_image");
        assertError(http.postJson(API, Numbers.json(Numbers.specks(300, 100))), 400, "no_digits");
        GreyImage five = Numbers.composed(1, 5, 5, NumberComposer.Spacing.GAPPED, 11).get(0).image();
        HttpResponse<String> tooLong = new Http(strict.url()).postJson(API, Numbers.json(five));
        assertError(tooLong, 400, "number_too_long");
        assertThat(JSON.readTree(tooLong.body()).get("detail").asText()).contains("at most 3");
    }

    @Test
    void malformed_number_messages_go_to_the_dead_letter_topic_and_the_worker_keeps_reading() throws Exception {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put("bootstrap.servers", kafka.bootstrapServers());
        byte[] huge = {NumberMessages.VERSION, 16, 0x7f, 0, 0, 0, 0x7f, 0, 0, 0, 1, 2, 3};
        byte[] garbage = {NumberMessages.VERSION, 16, 0, 0, 0, 10, 0, 0, 0, 10, 9, 9, 9, 9};
        byte[] bomb = NumberMessages.request(Numbers.blank(2048, 1024), 16);
        bomb[4] = 0; // announces 10 x 1024 pixels: the 2-megapixel stream inflates past them
        bomb[5] = 10;
        Map<String, byte[]> poison = Map.of("number-huge", huge, "number-garbage", garbage, "number-bomb", bomb,
                "number-header-only", new byte[] {NumberMessages.VERSION, 1});
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            poison.forEach((key, value) -> producer.send(new ProducerRecord<>(Topics.REQUESTS, key, value)));
        }
        Map<String, String> reasons = new HashMap<>();
        props.put("group.id", "numbers-dlq-reader");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTERS));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!reasons.keySet().containsAll(poison.keySet()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    var reason = record.headers().lastHeader(Topics.DLQ_REASON);
                    reasons.put(record.key(), reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(reasons).containsKeys(poison.keySet().toArray(String[]::new));
        assertThat(reasons.get("number-huge")).contains("out of bounds");
        assertThat(reasons.get("number-bomb")).contains("do not inflate to exactly 10x1024");

        assertThat(worker.ready()).isTrue();
        HttpResponse<String> after = new Http(gateway.url()).postJson(API, Numbers.json(
                Numbers.composed(1, 2, 2, NumberComposer.Spacing.GAPPED, 2).get(0).image()));
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    /** The image as its 8-bit PNG carries it. */
    private static GreyImage quantised(GreyImage image) {
        byte[] bytes = new byte[image.pixels().length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Math.round(image.pixels()[i] * 255f);
        }
        return GreyImage.fromUnsignedBytes(image.width(), image.height(), bytes, 0);
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(code);
    }
}
