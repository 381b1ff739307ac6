package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.cluster.LocalCouchDb;
import dev.stratus.cluster.LocalKafkaCluster;
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.store.CouchDbSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-in-flight} on a Kafka gateway with no worker: real Kafka (one KRaft broker) and a
 * CouchDB-API server, nothing to answer the requests. The first N wait and time out with 504; the
 * one after them, sent while they wait, is refused at once with 503.
 */
class GatewayInFlightTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/v1/predictions";
    private static final int MAX_IN_FLIGHT = 3;

    @TempDir
    static Path dir;
    static LocalKafkaCluster kafka;
    static LocalCouchDb couchDb;
    static StratusServer gateway;

    @BeforeAll
    static void start() throws IOException {
        kafka = LocalKafkaCluster.start(dir.resolve("kafka"), 1);
        couchDb = LocalCouchDb.start(Files.createDirectories(dir.resolve("couchdb")));
        gateway = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(dir.resolve("gw"))
                        .rateLimit(0, 1).inferenceTimeout(Duration.ofSeconds(15)).build(),
                Backend.kafka(KafkaSettings.of(kafka.bootstrapServers(), 1, 0, kafka.clientProperties()),
                        CouchDbSettings.fromEnvironment(couchDb.clientEnvironment(), couchDb.url()), "lonely", MAX_IN_FLIGHT));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (couchDb != null) {
            couchDb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void requests_beyond_max_in_flight_get_503_at_once_while_the_first_wait_for_a_worker() throws Exception {
        Http http = new Http(gateway.url());
        Http management = new Http(gateway.managementUrl());
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            waiting.add(http.client().sendAsync(HttpRequest.newBuilder(URI.create(gateway.url() + API))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Digits.pixelsJson(i))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        awaitInFlight(management, MAX_IN_FLIGHT);

        HttpResponse<String> refused = http.postJson(API, Digits.pixelsJson(MAX_IN_FLIGHT));

        assertThat(waiting).as("still waiting for a worker when the next was refused").noneMatch(CompletableFuture::isDone);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.get("error").asText()).isEqualTo("overloaded");
        assertThat(body.get("detail").asText()).contains(MAX_IN_FLIGHT + " requests are already waiting for the workers");

        Map<Integer, Integer> statuses = new TreeMap<>();
        statuses.merge(refused.statusCode(), 1, Integer::sum);
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            HttpResponse<String> answered = response.get();
            statuses.merge(answered.statusCode(), 1, Integer::sum);
            assertThat(JSON.readTree(answered.body()).get("error").asText()).isEqualTo("timeout");
        }
        assertThat(statuses).containsExactly(Map.entry(503, 1), Map.entry(504, MAX_IN_FLIGHT));
        awaitInFlight(management, 0);
    }

    /** Polls readiness (the management port's) until the gateway reports {@code count} requests waiting for workers. */
    private static void awaitInFlight(Http http, int count) throws Exception {
        for (int polls = 0; polls < 3_000; polls++) {
            if (JSON.readTree(http.get("/health/ready").body()).get("queueDepth").asInt() == count) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the gateway never had " + count + " requests in flight");
    }
}
