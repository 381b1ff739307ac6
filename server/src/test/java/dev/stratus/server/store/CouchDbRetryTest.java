package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stratus.server.store.CouchDbSettings.Backoff;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's retries, counted: a small real HTTP server answers like CouchDB, except that the
 * document path answers the statuses a test scripts first. Each test counts the requests it got.
 */
class CouchDbRetryTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(5));
    private static final String DOCUMENT = "PUT /predictions/x";

    private FlakyCouchDb couch;

    @BeforeEach
    void start() throws IOException {
        couch = new FlakyCouchDb();
    }

    @AfterEach
    void stop() {
        couch.close();
    }

    private CouchDbPredictionStore open(int maxRetries) {
        return CouchDbPredictionStore.open(new CouchDbSettings(URI.create(couch.url()), "predictions", null, null,
                Duration.ofSeconds(10), maxRetries), FAST);
    }

    private static PredictionRecord record(String id) {
        float[] probabilities = new float[10];
        probabilities[1] = 1f;
        return new PredictionRecord(id, Instant.parse("2025-06-01T10:15:30Z"), "model-v1", 1, probabilities,
                new byte[784], null, null);
    }

    @Test
    void a_5xx_is_retried_until_the_server_answers() {
        couch.script(DOCUMENT, 503, 500, 503);
        try (CouchDbPredictionStore store = open(5)) {
            store.save(record("x"));
        }

        assertThat(couch.requests(DOCUMENT)).as("three 5xx, then 201").isEqualTo(4);
        assertThat(couch.requests("PUT /predictions")).as("opening is not retried when it works").isEqualTo(1);
    }

    @Test
    void gives_up_after_the_configured_retries_naming_couchdb_and_the_status() {
        couch.script(DOCUMENT, 503, 503, 503, 503, 503, 503);
        try (CouchDbPredictionStore store = open(2)) {
            assertThatThrownBy(() -> store.save(record("x")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("CouchDB at " + couch.url())
                    .hasMessageContaining("could not save prediction x after 3 attempts")
                    .hasMessageContaining("answered 503 service_unavailable (scripted)");
        }

        assertThat(couch.requests(DOCUMENT)).as("the first attempt and 2 retries").isEqualTo(3);
    }

    @Test
    void a_4xx_other_than_a_conflict_is_not_retried() {
        couch.script(DOCUMENT, 400);
        try (CouchDbPredictionStore store = open(5)) {
            assertThatThrownBy(() -> store.save(record("x")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("CouchDB at " + couch.url())
                    .hasMessageContaining("refused to save prediction x: 400 bad_request (scripted)");
        }

        assertThat(couch.requests(DOCUMENT)).isEqualTo(1);
    }

    @Test
    void a_conflict_is_not_retried_but_checked_against_the_stored_document() {
        couch.script(DOCUMENT, 409);
        try (CouchDbPredictionStore store = open(5)) {
            assertThatThrownBy(() -> store.save(record("x")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("reported a conflict saving prediction x but holds no prediction");
        }

        assertThat(couch.requests(DOCUMENT)).isEqualTo(1);
        assertThat(couch.requests("GET /predictions/x")).as("the read that judges the conflict").isEqualTo(1);
    }

    /**
     * Answers the calls the store makes, like CouchDB with an empty database: creates, reads, the
     * index, a document saved (201) or not found (404); a scripted path first answers its statuses.
     */
    static final class FlakyCouchDb implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, Deque<Integer>> scripts = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        FlakyCouchDb() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", this::answer);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void script(String call, Integer... statuses) {
            scripts.put(call, new ArrayDeque<>(List.of(statuses)));
        }

        int requests(String call) {
            AtomicInteger count = counts.get(call);
            return count == null ? 0 : count.get();
        }

        private void answer(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            String call = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            counts.computeIfAbsent(call, c -> new AtomicInteger()).incrementAndGet();
            Deque<Integer> scripted = scripts.get(call);
            Integer status = scripted == null ? null : scripted.poll();
            if (status != null) {
                String error = switch (status) {
                    case 400 -> "bad_request";
                    case 409 -> "conflict";
                    case 500 -> "internal_server_error";
                    default -> "service_unavailable";
                };
                reply(exchange, status, "{\"error\":\"" + error + "\",\"reason\":\"scripted\"}");
            } else if (call.equals("PUT /predictions")) {
                reply(exchange, 201, "{\"ok\":true}");
            } else if (call.equals("GET /predictions")) {
                reply(exchange, 200, "{\"db_name\":\"predictions\"}");
            } else if (call.equals("POST /predictions/_index")) {
                reply(exchange, 200, "{\"result\":\"created\"}");
            } else if (call.startsWith("PUT /predictions/")) {
                reply(exchange, 201, "{\"ok\":true}");
            } else {
                reply(exchange, 404, "{\"error\":\"not_found\",\"reason\":\"missing\"}");
            }
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
