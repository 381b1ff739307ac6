package dev.stratus.server.web;

import static dev.stratus.server.web.ApiTest.assertError;
import static dev.stratus.server.web.ApiTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Backend;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.Numbers;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.pipeline.GatedMeterRegistry;
import dev.stratus.server.pipeline.MicroBatchingPipeline;
import dev.stratus.server.pipeline.SilentPipeline;
import dev.stratus.server.store.MemoryStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The numbers API against the real embedded server on a random port, with numbers composed from MNIST test digits. */
class NumbersApiTest {
    static final String API = "/api/v1/numbers";

    @TempDir
    static Path data;
    static Model model;
    static StratusServer server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        server = StratusServer.start(config(data).build(), Backend.embedded(config(data).build(), model, false));
        http = new Http(server.url());
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    static ServerConfig.Builder config(Path dir) {
        return ServerConfig.builder().port(0).dataDirectory(dir).rateLimit(0, 1);
    }

    @Test
    void reads_composed_numbers_digit_by_digit_with_boxes_inputs_and_the_product_confidence() {
        List<NumberComposer.Composed> numbers = Numbers.composed(12, 2, 6, NumberComposer.Spacing.GAPPED, 16);
        int exact = 0;
        for (NumberComposer.Composed number : numbers) {
            HttpResponse<String> response = http.postJson(API, Numbers.json(number.image()));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = json(response);
            String read = body.get("number").asText();
            exact += read.equals(number.label()) ? 1 : 0;
            JsonNode digits = body.get("digits");
            assertThat(digits).hasSize(read.length());
            double product = 1;
            int lastX = -1;
            for (int i = 0; i < digits.size(); i++) {
                JsonNode digit = digits.get(i);
                assertThat(digit.get("digit").asInt()).isEqualTo(read.charAt(i) - '0');
                assertThat(digit.get("probabilities")).hasSize(10);
                assertThat(digit.get("top")).hasSize(3);
                assertThat(digit.get("top").get(0).get("digit").asInt()).isEqualTo(digit.get("digit").asInt());
                assertThat(digit.get("input")).hasSize(784);
                JsonNode box = digit.get("box");
                assertThat(box.get("x").asInt()).as("left to right").isGreaterThan(lastX);
                assertThat(box.get("x").asInt() + box.get("width").asInt()).isLessThanOrEqualTo(number.image().width());
                assertThat(box.get("y").asInt() + box.get("height").asInt()).isLessThanOrEqualTo(number.image().height());
                lastX = box.get("x").asInt();
                product *= digit.get("confidence").asDouble();
            }
            assertThat(body.get("confidence").asDouble()).isCloseTo(product, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(body.get("modelVersion").asText()).startsWith("stratus-");
            assertThat(body.get("timings").get("totalMicros").asLong()).isPositive();
        }
        assertThat(exact).as("numbers read exactly, of 12 gapped ones").isGreaterThanOrEqualTo(10);
    }

    @Test
    void numbers_are_counted_in_the_metrics_and_described_in_the_openapi_file() {
        http.postJson(API, Numbers.json(Numbers.composed(1, 2, 2, NumberComposer.Spacing.GAPPED, 4).get(0).image()));
        http.postJson(API, Numbers.json(Numbers.blank(50, 50)));
        String metrics = new Http(server.managementUrl()).get("/metrics").body();
        assertThat(metrics).contains("http_server_requests_seconds_count{method=\"POST\",route=\"/api/v1/numbers\",status=\"200\"}")
                .contains("stratus_numbers_read_total").contains("stratus_numbers_refused_total")
                .contains("stratus_numbers_digits_count").contains("stratus_numbers_inference_duration_seconds");

        JsonNode paths = json(http.get("/api/openapi.json")).get("paths");
        assertThat(paths.has(API)).isTrue();
        assertThat(paths.has(API + "/{id}")).isTrue();
        assertThat(paths.get(API + "/{id}/label").get("put").get("responses").has("400")).isTrue();
    }

    @Test
    void takes_a_raw_png_body_as_predictions_do() {
        NumberComposer.Composed number = Numbers.composed(1, 3, 3, NumberComposer.Spacing.GAPPED, 3).get(0);
        HttpResponse<String> asBody = http.post(API, "image/png", Numbers.png(number.image()));
        HttpResponse<String> asJson = http.postJson(API, Numbers.json(number.image()));

        assertThat(asBody.statusCode()).as(asBody.body()).isEqualTo(200);
        assertThat(json(asBody).get("number")).isEqualTo(json(asJson).get("number"));
        assertThat(json(asBody).get("digits").get(0).get("input")).isEqualTo(json(asJson).get("digits").get(0).get("input"));
    }

    @Test
    void stores_every_number_and_records_the_users_correction() {
        JsonNode created = json(http.postJson(API, Numbers.json(
                Numbers.composed(1, 4, 4, NumberComposer.Spacing.GAPPED, 5).get(0).image())));
        String id = created.get("id").asText();
        String read = created.get("number").asText();

        JsonNode stored = json(http.get(API + "/" + id));
        assertThat(stored.get("number").asText()).isEqualTo(read);
        assertThat(stored.get("digits")).isEqualTo(created.get("digits"));
        assertThat(stored.get("createdAt")).isEqualTo(created.get("createdAt"));
        assertThat(stored.has("timings")).isFalse();
        assertThat(stored.has("label")).isFalse();

        String correction = read.substring(0, read.length() - 1) + (char) ('0' + (read.charAt(read.length() - 1) - '0' + 1) % 10);
        HttpResponse<String> labelled = http.putJson(API + "/" + id + "/label", "{\"label\": \"" + correction + "\"}");
        assertThat(labelled.statusCode()).as(labelled.body()).isEqualTo(200);
        assertThat(json(labelled).get("label").asText()).isEqualTo(correction);
        assertThat(json(labelled).get("number").asText()).as("what the model read stays").isEqualTo(read);
        JsonNode after = json(http.get(API + "/" + id));
        assertThat(after.get("label").asText()).isEqualTo(correction);
        assertThat(after.get("labelledAt").asText()).isNotBlank();
    }

    @Test
    void a_correction_needs_one_ascii_digit_per_digit_read() {
        JsonNode created = json(http.postJson(API, Numbers.json(
                Numbers.composed(1, 3, 3, NumberComposer.Spacing.GAPPED, 7).get(0).image())));
        String path = API + "/" + created.get("id").asText() + "/label";
        int length = created.get("number").asText().length();

        assertError(http.putJson(path, "{\"label\": \"" + "1".repeat(length + 1) + "\"}"), 400, "invalid_label");
        assertError(http.putJson(path, "{\"label\": \"" + "1".repeat(length - 1) + "\"}"), 400, "invalid_label");
        assertError(http.putJson(path, "{\"label\": \"" + "x".repeat(length) + "\"}"), 400, "invalid_label");
        assertError(http.putJson(path, "{\"label\": \"" + "\u0664".repeat(length) + "\"}"), 400, "invalid_label");
        assertError(http.putJson(path, "{\"label\": 123}"), 400, "invalid_label");
        assertError(http.putJson(path, "{}"), 400, "invalid_label");
        assertError(http.putJson(path, "nonsense"), 400, "malformed_json");
        assertThat(json(http.putJson(path, "{\"label\": \"" + "1".repeat(length + 2) + "\"}")).get("detail").asText())
                .as("says how many digits").contains(length + " digits");
        assertThat(json(http.get(path.replace("/label", ""))).has("label")).as("nothing was recorded").isFalse();
    }

    @Test
    void unknown_and_malformed_ids_are_404_as_for_predictions() {
        assertError(http.get(API + "/0190a0b0-0000-7000-8000-000000000000"), 404, "not_found");
        assertError(http.get(API + "/no-such-id"), 404, "not_found");
        assertError(http.putJson(API + "/no-such-id/label", "{\"label\": \"1\"}"), 404, "not_found");
    }

    @Test
    void blank_noise_and_bad_images_are_400_each_with_its_code() {
        assertError(http.postJson(API, Numbers.json(Numbers.blank(200, 80))), 400, "blank_image");
        assertError(http.post(API, "image/png", Numbers.png(Numbers.blank(200, 80))), 400, "blank_image");
        assertError(http.postJson(API, Numbers.json(Numbers.specks(300, 100))), 400, "no_digits");
        assertError(http.postJson(API, "{\"image\": \"data:image/png;base64,AAAA\"}"), 400, "invalid_image");
        assertError(http.post(API, "image/png", new byte[] {1, 2, 3}), 400, "invalid_image");
        assertError(http.postJson(API, "{\"image\": 42}"), 400, "invalid_image");
        assertError(http.postJson(API, "{}"), 400, "missing_input");
        assertError(http.postJson(API, "{\"image\": "), 400, "malformed_json");
    }

    @Test
    void wrong_types_and_large_bodies_are_refused_as_for_predictions() {
        assertError(http.post(API, "text/plain", "2048".getBytes()), 415, "unsupported_media_type");
        byte[] big = new byte[1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        assertError(http.post(API, "application/json", big), 413, "body_too_large");
        assertError(http.post(API, "image/png", Pngs.headerOnly(4000, 4000)), 400, "invalid_image");
    }

    @Test
    void a_number_longer_than_the_configured_maximum_is_400(@TempDir Path dir) throws IOException {
        ServerConfig config = config(dir).maxDigits(3).build();
        GreyImage five = Numbers.composed(1, 5, 5, NumberComposer.Spacing.GAPPED, 11).get(0).image();
        try (StratusServer strict = StratusServer.start(config, Backend.embedded(config, model, false))) {
            HttpResponse<String> refused = new Http(strict.url()).postJson(API, Numbers.json(five));

            assertError(refused, 400, "number_too_long");
            assertThat(json(refused).get("detail").asText()).contains("at most 3");
        }
    }

    @Test
    void a_number_waits_in_the_same_bounded_queue_as_digits(@TempDir Path dir) throws Exception {
        // The worker is held after classifying a digit; one number fills the queue of 1, so the next is refused.
        GatedMeterRegistry gate = new GatedMeterRegistry();
        MemoryStore store = new MemoryStore();
        ServerConfig config = config(dir).inferenceTimeout(Duration.ofSeconds(60)).build();
        GreyImage number = Numbers.composed(1, 3, 3, NumberComposer.Spacing.GAPPED, 9).get(0).image();
        try (StratusServer small = StratusServer.start(config, registry -> new Backend(
                new MicroBatchingPipeline(model, store, 1, 1, Duration.ZERO, gate), store, "gated", List.of()))) {
            Http client = new Http(small.url());
            try {
                CompletableFuture<HttpResponse<String>> digit = async(client, ApiTest.API, Digits.pixelsJson(0));
                gate.awaitHeld();
                CompletableFuture<HttpResponse<String>> queued = async(client, API, Numbers.json(number));
                awaitQueueDepth(new Http(small.managementUrl()));

                HttpResponse<String> refused = client.postJson(API, Numbers.json(number));

                assertError(refused, 503, "overloaded");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                gate.open();
                assertThat(List.of(digit.get().statusCode(), queued.get().statusCode())).containsExactly(200, 200);
                assertThat(store.numberRecords).hasSize(1);
            } finally {
                gate.open();
            }
        }
    }

    @Test
    void a_stopped_pipeline_answers_503_shutting_down(@TempDir Path dir) throws IOException {
        MemoryStore store = new MemoryStore();
        ServerConfig config = config(dir).build();
        try (StratusServer stopping = StratusServer.start(config, registry -> {
            MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, store, 16, 16, Duration.ZERO, registry);
            pipeline.close();
            return new Backend(pipeline, store, "stopped", List.of());
        })) {
            GreyImage number = Numbers.composed(1, 2, 2, NumberComposer.Spacing.GAPPED, 1).get(0).image();
            assertError(new Http(stopping.url()).postJson(API, Numbers.json(number)), 503, "shutting_down");
        }
    }

    @Test
    void a_number_not_answered_in_time_is_504(@TempDir Path dir) throws IOException {
        SilentPipeline silent = new SilentPipeline();
        ServerConfig config = config(dir).inferenceTimeout(Duration.ofMillis(300)).build();
        MemoryStore store = new MemoryStore();
        try (StratusServer slow = StratusServer.start(config, registry -> new Backend(silent, store, "silent", List.of()))) {
            GreyImage number = Numbers.composed(1, 2, 2, NumberComposer.Spacing.GAPPED, 1).get(0).image();
            HttpResponse<String> response = new Http(slow.url()).postJson(API, Numbers.json(number));

            assertError(response, 504, "timeout");
            assertThat(json(response).get("detail").asText()).contains("within 300 ms");
            assertThat(silent.submitted).as("one number submitted, ended by the service's timeout").singleElement()
                    .satisfies(f -> assertThat(f).isCompletedExceptionally());
        }
    }

    @Test
    void numbers_and_their_corrections_survive_a_restart(@TempDir Path dir) throws IOException {
        ServerConfig config = config(dir).build();
        GreyImage image = Numbers.composed(1, 3, 3, NumberComposer.Spacing.GAPPED, 21).get(0).image();
        JsonNode created;
        String label;
        try (StratusServer first = StratusServer.start(config, Backend.embedded(config, model, false))) {
            Http client = new Http(first.url());
            created = json(client.postJson(API, Numbers.json(image)));
            label = "9".repeat(created.get("number").asText().length());
            assertThat(client.putJson(API + "/" + created.get("id").asText() + "/label",
                    "{\"label\": \"" + label + "\"}").statusCode()).isEqualTo(200);
        }
        try (StratusServer second = StratusServer.start(config, Backend.embedded(config, model, false))) {
            JsonNode stored = json(new Http(second.url()).get(API + "/" + created.get("id").asText()));

            assertThat(stored.get("digits")).isEqualTo(created.get("digits"));
            assertThat(stored.get("createdAt")).isEqualTo(created.get("createdAt"));
            assertThat(stored.get("label").asText()).isEqualTo(label);
        }
    }

    private static CompletableFuture<HttpResponse<String>> async(Http client, String path, String body) {
        return client.client().sendAsync(HttpRequest.newBuilder(URI.create(client.base() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitQueueDepth(Http management) throws InterruptedException {
        for (int polls = 0; polls < 3_000; polls++) {
            if (json(management.get("/health/ready")).get("queueDepth").asInt() == 1) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the queue never held the number");
    }
}
