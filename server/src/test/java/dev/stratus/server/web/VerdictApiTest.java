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
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verdicts and strokes (issue 17) against the real embedded server on a random port: real MNIST
 * test digits, a dot, a number composed from MNIST digits, a scribble, MNIST digits traced as pen
 * strokes, and every limit of the strokes input.
 */
class VerdictApiTest {
    static final String API = WebApp.API;

    @TempDir
    static Path data;
    static Model model;
    static StratusServer server;
    static Http http;
    static MnistPen pen;

    @BeforeAll
    static void start() throws IOException {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).build();
        server = StratusServer.start(config, Backend.embedded(config, model, false));
        http = new Http(server.url());
        pen = MnistPen.fromTestSet();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    @Test
    void a_real_mnist_digit_is_a_digit_with_calibrated_probabilities_and_the_same_verdict_when_read_back() {
        int digits = 0;
        for (int i = 0; i < 10; i++) {
            JsonNode body = json(http.postJson(API, Digits.pixelsJson(i)));
            digits += "digit".equals(body.get("verdict").asText()) && body.get("digit").asInt() == Digits.label(i) ? 1 : 0;
            double sum = 0;
            for (JsonNode p : body.get("probabilities")) {
                sum += p.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(body.get("confidence").asDouble())
                    .isEqualTo(body.get("probabilities").get(body.get("digit").asInt()).asDouble());
            assertThat(body.has("number")).isFalse();
            JsonNode stored = json(http.get(API + "/" + body.get("id").asText()));
            assertThat(stored.get("verdict")).isEqualTo(body.get("verdict"));
            assertThat(stored.get("confidence")).isEqualTo(body.get("confidence"));
        }
        assertThat(digits).as("of the first 10 MNIST test digits, read right as a digit").isGreaterThanOrEqualTo(9);
    }

    @Test
    void a_dot_is_too_small_as_an_image_as_pixels_and_as_strokes() {
        GreyImage dot = disc(280, 280, 140, 140, 10);
        JsonNode asPng = json(http.post(API, "image/png", Numbers.png(dot)));
        assertThat(asPng.get("verdict").asText()).as(asPng.toString()).isEqualTo("too_small");
        assertThat(asPng.has("digit")).as("the answer keeps its fields").isTrue();

        StringJoiner pixels = new StringJoiner(",", "{\"pixels\":[", "]}");
        for (int i = 0; i < 784; i++) {
            pixels.add(i == 14 * 28 + 14 || i == 14 * 28 + 15 ? "255" : "0");
        }
        assertThat(json(http.postJson(API, pixels.toString())).get("verdict").asText()).isEqualTo("too_small");

        JsonNode tap = json(http.postJson(API, "{\"strokes\": [[[140, 140], [141, 142]]]}"));
        assertThat(tap.get("verdict").asText()).as(tap.toString()).isEqualTo("too_small");
        String id = tap.get("id").asText();
        assertThat(json(http.get(API + "/" + id)).get("verdict").asText()).isEqualTo("too_small");
    }

    @Test
    void two_mnist_digits_side_by_side_are_several_with_the_number_they_read_as() {
        NumberComposer.Composed two = Numbers.composed(1, 2, 2, NumberComposer.Spacing.GAPPED, 21).get(0);
        JsonNode body = json(http.postJson(API, Numbers.json(two.image())));
        assertThat(body.get("verdict").asText()).as(body.toString()).isEqualTo("several");
        assertThat(body.get("number").asText()).matches("[0-9]{2}");
        JsonNode stored = json(http.get(API + "/" + body.get("id").asText()));
        assertThat(stored.get("verdict").asText()).isEqualTo("several");
        assertThat(stored.get("number")).isEqualTo(body.get("number"));
    }

    @Test
    void a_scribble_is_not_answered_as_a_confident_digit() {
        JsonNode body = json(http.postJson(API, scribble(new SplittableRandom(5))));
        assertThat(body.get("verdict").asText()).as(body.toString()).isNotEqualTo("digit");
    }

    @Test
    void mnist_digits_drawn_as_strokes_at_any_size_are_read_right() {
        int right = 0;
        int total = 0;
        for (double size : new double[] {24, 140, 900}) {
            for (int d = 0; d < 10; d += 3) {
                MnistPen.Digit digit = pen.trace(pen.testImageOf(d, 0), 10, 10, size);
                JsonNode body = json(http.postJson(API, strokesJson(digit.strokes())));
                right += body.get("digit").asInt() == d && "digit".equals(body.get("verdict").asText()) ? 1 : 0;
                total++;
            }
        }
        assertThat(right).as("traced digits read right, of " + total).isGreaterThanOrEqualTo(total - 1);
    }

    @Test
    void every_limit_of_the_strokes_is_a_400_with_its_code() {
        assertError(http.postJson(API, "{\"strokes\": []}"), 400, "empty_strokes");
        assertError(http.postJson(API, "{\"strokes\": [[]]}"), 400, "empty_strokes");
        assertError(http.postJson(API, "{\"strokes\": [[[1, NaN]]]}"), 400, "invalid_coordinate");
        assertError(http.postJson(API, "{\"strokes\": [[[1, Infinity], [2, 3]]]}"), 400, "invalid_coordinate");
        assertError(http.postJson(API, "{\"strokes\": [[[1, \"2\"]]]}"), 400, "invalid_coordinate");
        assertError(http.postJson(API, "{\"strokes\": [[[1, null]]]}"), 400, "invalid_coordinate");
        assertError(http.postJson(API, "{\"strokes\": [[[1, 1e6], [2, 3]]]}"), 400, "coordinate_out_of_range");
        assertError(http.postJson(API, "{\"strokes\": [[1, 2], [3, 4]]}"), 400, "invalid_strokes");
        assertError(http.postJson(API, "{\"strokes\": [[[1, 2, 3]]]}"), 400, "invalid_strokes");
        assertError(http.postJson(API, "{\"strokes\": [[[[1, 2]]]]}"), 400, "invalid_strokes");
        assertError(http.postJson(API, "{\"strokes\": {\"x\": 1}}"), 400, "invalid_strokes");
        assertError(http.postJson(API, "{\"strokes\": [[[1, 2]]], \"pixels\": []}"), 400, "ambiguous_input");
        assertError(http.postJson(API, "{\"strokes\": [[[1, 2]]"), 400, "malformed_json");
        StringJoiner many = new StringJoiner(",", "{\"strokes\": [", "]}");
        for (int i = 0; i < 65; i++) {
            many.add("[[" + i + ", 0], [" + i + ", 50]]");
        }
        assertError(http.postJson(API, many.toString()), 400, "too_many_strokes");
        StringJoiner long_ = new StringJoiner(",", "{\"strokes\": [[", "]]}");
        for (int i = 0; i < 4097; i++) {
            long_.add("[" + i % 200 + ", " + i / 20 + "]");
        }
        assertError(http.postJson(API, long_.toString()), 400, "too_many_points");
    }

    @Test
    void why_is_an_occlusion_heatmap_of_784_values_and_unknown_or_bad_ids_are_refused() {
        JsonNode answer = json(http.postJson(API, Digits.pixelsJson(3)));
        String id = answer.get("id").asText();
        HttpResponse<String> response = http.get(API + "/" + id + "/why");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode why = json(response);
        assertThat(why.get("id").asText()).isEqualTo(id);
        assertThat(why.get("digit")).isEqualTo(answer.get("digit"));
        assertThat(why.get("heatmap")).hasSize(784);
        double inkDrop = 0;
        double backgroundDrop = 0;
        JsonNode input = answer.get("input");
        for (int i = 0; i < 784; i++) {
            double v = why.get("heatmap").get(i).asDouble();
            if (input.get(i).asInt() > 128) {
                inkDrop = Math.max(inkDrop, v);
            } else if (i % 28 < 2 || i / 28 < 2) {
                backgroundDrop = Math.max(backgroundDrop, Math.abs(v));
            }
        }
        assertThat(inkDrop).as("covering some ink lowers the answer").isGreaterThan(backgroundDrop);
        assertError(http.get(API + "/0190a0b0-0000-7000-8000-000000000000/why"), 404, "not_found");
        assertError(http.get(API + "/no-such-id/why"), 400, "invalid_id");
    }

    @Test
    void verdicts_and_strokes_are_in_the_openapi_file() {
        JsonNode api = json(http.get("/api/openapi.json"));
        assertThat(api.toString()).contains("\"verdict\"").contains("too_small").contains("\"strokes\"")
                .contains("too_many_points").contains("/api/v1/predictions/{id}/why");
    }

    static String strokesJson(List<MnistPen.Stroke> strokes) {
        StringJoiner all = new StringJoiner(",", "{\"strokes\": [", "]}");
        for (MnistPen.Stroke stroke : strokes) {
            StringJoiner points = new StringJoiner(",", "[", "]");
            for (MnistPen.Point p : stroke.points()) {
                points.add("[" + p.x() + ", " + p.y() + "]");
            }
            all.add(points.toString());
        }
        return all.toString();
    }

    /** A random scribble of 60 short pen moves inside a 200 px square, as strokes. */
    static String scribble(SplittableRandom random) {
        StringJoiner points = new StringJoiner(",", "{\"strokes\": [[", "]]}");
        double x = 100;
        double y = 100;
        for (int i = 0; i < 60; i++) {
            x = Math.max(0, Math.min(200, x + random.nextDouble(-60, 60)));
            y = Math.max(0, Math.min(200, y + random.nextDouble(-60, 60)));
            points.add("[" + x + ", " + y + "]");
        }
        return points.toString();
    }

    static GreyImage disc(int width, int height, int cx, int cy, int radius) {
        float[] pixels = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int dx = x - cx;
                int dy = y - cy;
                pixels[y * width + x] = dx * dx + dy * dy <= radius * radius ? 1f : 0f;
            }
        }
        return new GreyImage(width, height, pixels);
    }
}
