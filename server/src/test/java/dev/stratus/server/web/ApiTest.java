package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.pipeline.GatedMeterRegistry;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.MicroBatchingPipeline;
import dev.stratus.server.pipeline.SilentPipeline;
import dev.stratus.server.store.SqlPredictionStore;
import dev.stratus.server.store.MemoryStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every route and every error status, against the real server on a random port. */
class ApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API = "/api/v1/predictions";

    @TempDir
    static Path data;
    static StratusServer server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).build());
        http = new Http(server.url());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("detail").asText()).isNotBlank();
    }

    @Test
    void recognises_real_mnist_digits_sent_as_784_pixels() {
        int correct = 0;
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = http.postJson(API, Digits.pixelsJson(i));
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = json(response);
            if (body.get("digit").asInt() == Digits.label(i)) {
                correct++;
            }
            assertThat(body.get("probabilities")).hasSize(10);
            assertThat(body.get("top")).hasSize(3);
            assertThat(body.get("input")).hasSize(784);
            assertThat(body.get("id").asText()).isNotBlank();
            assertThat(body.get("modelVersion").asText()).startsWith("stratus-");
            assertThat(body.get("timings").get("totalMicros").asLong()).isPositive();
            assertThat(body.get("confidence").asDouble()).isEqualTo(body.get("top").get(0).get("probability").asDouble());
        }
        assertThat(correct).isGreaterThanOrEqualTo(49);
    }

    @Test
    void recognises_a_canvas_png_of_any_size_as_a_data_url_or_a_raw_body() {
        byte[] png = Digits.png(0, 280, 8, 30, 50);
        HttpResponse<String> asDataUrl = http.postJson(API, "{\"image\":\"" + Digits.dataUrl(png) + "\"}");
        HttpResponse<String> asBody = http.post(API, "image/png", png);

        assertThat(asDataUrl.statusCode()).as(asDataUrl.body()).isEqualTo(200);
        assertThat(json(asDataUrl).get("digit").asInt()).isEqualTo(Digits.label(0));
        assertThat(asBody.statusCode()).isEqualTo(200);
        assertThat(json(asBody).get("digit").asInt()).isEqualTo(Digits.label(0));
    }

    @Test
    void stores_every_prediction_and_records_the_users_label() {
        JsonNode created = json(http.postJson(API, Digits.pixelsJson(3)));
        String id = created.get("id").asText();

        JsonNode stored = json(http.get(API + "/" + id));
        assertThat(stored.get("digit").asInt()).isEqualTo(created.get("digit").asInt());
        assertThat(stored.get("input")).isEqualTo(created.get("input"));
        assertThat(stored.has("label")).isFalse();

        HttpResponse<String> labelled = http.putJson(API + "/" + id + "/label", "{\"label\": 4}");
        assertThat(labelled.statusCode()).isEqualTo(200);
        assertThat(json(labelled).get("label").asInt()).isEqualTo(4);
        assertThat(json(http.get(API + "/" + id)).get("label").asInt()).isEqualTo(4);
    }

    @Test
    void unknown_ids_are_404() {
        assertError(http.get(API + "/no-such-id"), 404, "not_found");
        assertError(http.putJson(API + "/no-such-id/label", "{\"label\": 1}"), 404, "not_found");
        assertError(http.get("/api/v2/nothing"), 404, "not_found");
    }

    @Test
    void malformed_or_invalid_bodies_are_400_with_the_reason() {
        assertError(http.postJson(API, "{\"pixels\": [1, 2"), 400, "malformed_json");
        assertError(http.postJson(API, "[1, 2, 3]"), 400, "malformed_json");
        assertError(http.postJson(API, "{}"), 400, "missing_input");
        assertError(http.postJson(API, "{\"pixels\": [1, 2, 3]}"), 400, "invalid_pixels");
        String nan = Digits.pixelsJson(0).replaceFirst("\\[0,", "[\"NaN\",");
        assertError(http.postJson(API, nan), 400, "invalid_pixels");
        String tooBright = Digits.pixelsJson(0).replaceFirst("\\[0,", "[256,");
        assertThat(json(http.postJson(API, tooBright)).get("detail").asText()).contains("pixel 0 is 256");
        assertError(http.postJson(API, Digits.pixelsJson(0).replaceFirst("\\[0,", "[-1,")), 400, "invalid_pixels");
        assertError(http.postJson(API, "{\"image\": \"data:image/png;base64,AAAA\"}"), 400, "invalid_image");
        assertError(http.postJson(API, "{\"image\": \"data:image/png;base64,***\"}"), 400, "invalid_image");
        assertError(http.postJson(API, "{\"image\": 42}"), 400, "invalid_image");
        assertError(http.post(API, "image/png", new byte[] {1, 2, 3}), 400, "invalid_image");
        assertError(http.postJson(API, "{\"pixels\": " + zeros() + ", \"image\": \"x\"}"), 400, "ambiguous_input");
    }

    @Test
    void a_blank_canvas_is_400_not_a_guess() {
        HttpResponse<String> response = http.postJson(API, "{\"pixels\": " + zeros() + "}");

        assertError(response, 400, "blank_image");
        assertThat(json(response).get("detail").asText()).contains("draw a digit");
    }

    @Test
    void invalid_labels_are_400() {
        String id = json(http.postJson(API, Digits.pixelsJson(1))).get("id").asText();

        assertError(http.putJson(API + "/" + id + "/label", "{\"label\": 10}"), 400, "invalid_label");
        assertError(http.putJson(API + "/" + id + "/label", "{\"label\": \"seven\"}"), 400, "invalid_label");
        assertError(http.putJson(API + "/" + id + "/label", "{\"label\": 2.5}"), 400, "invalid_label");
        // Not 7: the low 32 bits of 4294967303 are 7, which JsonNode.asInt() used to take.
        assertError(http.putJson(API + "/" + id + "/label", "{\"label\": 4294967303}"), 400, "invalid_label");
        assertError(http.putJson(API + "/" + id + "/label", "nonsense"), 400, "malformed_json");
    }

    @Test
    void a_body_over_the_limit_is_413() {
        byte[] big = new byte[1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) ' ');

        assertError(http.post(API, "application/json", big), 413, "body_too_large");
    }

    @Test
    void a_png_body_over_the_limit_is_413_whether_or_not_its_length_is_declared() {
        byte[] png = Digits.png(0, 280, 8, 30, 50);
        byte[] big = java.util.Arrays.copyOf(png, 1024 * 1024 + 10);

        assertError(http.post(API, "image/png", big), 413, "body_too_large");
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create(http.base() + API))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        assertError(chunked, 413, "body_too_large");
    }

    @Test
    void a_png_that_declares_huge_dimensions_is_refused_from_its_header() {
        // 67 bytes that announce 100,000 x 100,000 pixels: 40 GB of ARGB if it were decoded.
        HttpResponse<String> response = http.post(API, "image/png", Pngs.headerOnly(100_000, 100_000));

        assertError(response, 400, "invalid_image");
        assertThat(json(response).get("detail").asText()).contains("100000x100000").contains("at most 2048");
        assertError(http.post(API, "image/png", Pngs.headerOnly(4096, 1)), 400, "invalid_image");
    }

    @Test
    void a_body_declared_png_that_is_not_one_is_400_naming_the_problem() throws IOException {
        HttpResponse<String> text = http.post(API, "image/png", "this is not a picture".getBytes());
        assertError(text, 400, "invalid_image");
        assertThat(json(text).get("detail").asText()).contains("not a PNG image");

        byte[] png = Digits.png(0, 280, 8, 30, 50);
        HttpResponse<String> truncated = http.post(API, "image/png", java.util.Arrays.copyOf(png, png.length / 2));
        assertError(truncated, 400, "invalid_image");
        assertThat(json(truncated).get("detail").asText()).contains("the PNG cannot be decoded");

        for (String format : List.of("gif", "jpeg", "bmp")) {
            HttpResponse<String> other = http.post(API, "image/png", Pngs.encoded(format));
            assertError(other, 400, "invalid_image");
            assertThat(json(other).get("detail").asText()).as(format)
                    .containsIgnoringCase("expected a PNG image, got " + format);
        }
        HttpResponse<String> gifUrl = http.postJson(API, "{\"image\":\"" + Digits.dataUrl(Pngs.encoded("gif")) + "\"}");
        assertError(gifUrl, 400, "invalid_image");
    }

    @Test
    void a_wrong_content_type_is_415() {
        assertError(http.post(API, "text/plain", "hello".getBytes()), 415, "unsupported_media_type");
        assertError(http.send(HttpRequest.newBuilder(URI.create(http.base() + API + "/x/label"))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("{}"))), 415,
                "unsupported_media_type");
    }

    @Test
    void status_metrics_openapi_and_page_are_served() throws IOException {
        HttpResponse<String> status = http.get("/api/v1/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status).get("status").asText()).isEqualTo("ready");

        http.postJson(API, Digits.pixelsJson(2));
        String metrics = new Http(server.managementUrl()).get("/metrics").body();
        assertThat(metrics).contains("http_server_requests_seconds_count{method=\"POST\",route=\"/api/v1/predictions\",status=\"200\"}")
                .contains("stratus_inference_batch_size_count").contains("stratus_inference_queue_depth")
                .contains("stratus_inference_duration_seconds");

        JsonNode openApi = json(http.get("/api/openapi.json"));
        assertThat(openApi.get("paths").has("/api/v1/predictions")).isTrue();
        assertThat(openApi.get("paths").has("/api/v1/predictions/{id}/label")).isTrue();
        assertThat(openApi.get("paths").has("/api/v1/status")).isTrue();
        assertThat(openApi.get("paths").has("/health/ready")).as("not a public route").isFalse();

        HttpResponse<String> page = http.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<canvas");
    }

    @Test
    void every_answer_carries_security_headers_and_no_cors() {
        for (HttpResponse<String> response : List.of(http.get("/"),
                http.send(HttpRequest.newBuilder(URI.create(http.base() + API)).header("Content-Type", "application/json")
                        .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(Digits.pixelsJson(0)))))) {
            assertThat(response.headers().firstValue("Content-Security-Policy")).hasValue(WebApp.CONTENT_SECURITY_POLICY);
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void a_client_over_its_rate_limit_gets_429_with_retry_after(@TempDir Path dir) throws IOException {
        // One token per 1,000 s: none comes back during the test however slow the machine, so the
        // statuses are exact (the refill itself is RateLimiterTest's, on a stepped clock).
        try (StratusServer limited = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(dir)
                .rateLimit(0.001, 2).build())) {
            Http client = new Http(limited.url());
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> last = null;
            for (int i = 0; i < 4; i++) {
                last = client.postJson(API, Digits.pixelsJson(i));
                statuses.add(last.statusCode());
            }
            assertThat(statuses).containsExactly(200, 200, 429, 429);
            assertError(last, 429, "rate_limited");
            assertThat(json(last).get("detail").asText()).contains("requests per second from this client");
            assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                    assertThat(Integer.parseInt(v)).as("seconds until the next token").isBetween(900, 1000));
            assertThat(client.get("/").statusCode()).as("the page is not limited").isEqualTo(200);
            assertThat(client.get("/api/v1/status").statusCode()).as("the status is API, so limited").isEqualTo(429);
            assertThat(new Http(limited.managementUrl()).get("/health/ready").statusCode())
                    .as("the management port is not limited").isEqualTo(200);
        }
    }

    @Test
    void a_full_inference_queue_answers_503_at_once(@TempDir Path dir) throws Exception {
        // Queue of 1 and a worker held after its first batch: the first request is being worked on,
        // the second waits in the queue, so the third finds it full, whatever the machine's speed.
        GatedMeterRegistry gate = new GatedMeterRegistry();
        MemoryStore store = new MemoryStore();
        Model model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(dir).rateLimit(0, 1)
                .queueCapacity(1).maxBatch(1).batchDelay(Duration.ZERO).inferenceTimeout(Duration.ofSeconds(60)).build();
        try (StratusServer small = StratusServer.start(config, registry -> new Backend(
                new MicroBatchingPipeline(model, store, 1, 1, Duration.ZERO, gate), store, "gated", List.of(model)))) {
            Http client = new Http(small.url());
            Http management = new Http(small.managementUrl());
            try {
                CompletableFuture<HttpResponse<String>> first = postAsync(client, 0);
                gate.awaitHeld();
                CompletableFuture<HttpResponse<String>> second = postAsync(client, 1);
                awaitQueueDepth(management, 1);

                HttpResponse<String> refused = client.postJson(API, Digits.pixelsJson(2));

                assertThat(first).as("answered before the queue moved").isNotDone();
                assertThat(second).isNotDone();
                assertError(refused, 503, "overloaded");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                gate.open();
                assertThat(List.of(first.get().statusCode(), second.get().statusCode())).containsExactly(200, 200);
                assertThat(store.records).hasSize(2);
            } finally {
                gate.open();
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(Http client, int digit) {
        return client.client().sendAsync(HttpRequest.newBuilder(URI.create(client.base() + API))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Digits.pixelsJson(digit))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the management port's readiness until the queue holds {@code depth}. */
    private static void awaitQueueDepth(Http management, int depth) throws InterruptedException {
        for (int polls = 0; polls < 3_000; polls++) {
            if (json(management.get("/health/ready")).get("queueDepth").asInt() == depth) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the queue never held " + depth);
    }

    @Test
    void an_inference_timeout_answers_504(@TempDir Path dir) throws IOException {
        // A pipeline that accepts work and never answers: the timeout path, deterministically.
        SilentPipeline silent = new SilentPipeline();
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(dir).rateLimit(0, 1)
                .queueCapacity(16).maxBatch(1).batchDelay(Duration.ZERO).inferenceTimeout(Duration.ofMillis(300)).build();
        try (StratusServer slow = StratusServer.start(config, registry -> {
            SqlPredictionStore store = SqlPredictionStore.open(dir);
            return new Backend(silent, store, "silent", List.of(store));
        })) {
            HttpResponse<String> response = new Http(slow.url()).postJson(API, Digits.pixelsJson(0));

            assertError(response, 504, "timeout");
            assertThat(json(response).get("detail").asText()).contains("within 300 ms");
            assertThat(silent.submitted).as("one submission, ended by the service's timeout").singleElement()
                    .satisfies(f -> assertThat(f).failsWithin(Duration.ZERO)
                            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                            .withCauseInstanceOf(java.util.concurrent.TimeoutException.class));
        }
    }

    static String zeros() {
        return java.util.Collections.nCopies(784, "0").toString();
    }
}
