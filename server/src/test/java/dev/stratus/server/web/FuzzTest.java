package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thousands of random and mutated requests: never a 5xx, and the server stays healthy. */
class FuzzTest {
    private static final List<String> TYPES = List.of("application/json", "application/json; charset=utf-8",
            "image/png", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x");

    @Test
    void random_and_mutated_bodies_never_cause_a_server_error(@TempDir Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(2026);
        byte[] validJson = Digits.pixelsJson(0).getBytes(StandardCharsets.UTF_8);
        byte[] validPng = Digits.png(1, 64, 2, 3, 5);
        byte[] validDataUrl = ("{\"image\":\"" + Digits.dataUrl(validPng) + "\"}").getBytes(StandardCharsets.UTF_8);
        Map<Integer, Integer> statuses = new TreeMap<>();

        try (StratusServer server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(dir)
                .rateLimit(0, 1).build())) {
            Http http = new Http(server.url());
            for (int i = 0; i < 3_000; i++) {
                byte[] body = switch (i % 5) {
                    case 0 -> randomBytes(random, random.nextInt(0, 3_000));
                    case 1 -> mutate(validJson, random);
                    case 2 -> mutate(validPng, random);
                    case 3 -> mutate(validDataUrl, random);
                    default -> structuredJunk(random);
                };
                String type = TYPES.get(random.nextInt(TYPES.size()));
                String path = random.nextInt(10) == 0 ? "/api/v1/predictions/" + random.nextInt() + "/label"
                        : "/api/v1/predictions";
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                        .header("Content-Type", type);
                request = path.endsWith("/label") ? request.PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        : request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
                HttpResponse<String> response = http.send(request);
                statuses.merge(response.statusCode(), 1, Integer::sum);
                assertThat(response.statusCode()).as("request %d (%s, %d bytes): %s", i, type, body.length,
                        response.body()).isLessThan(500);
            }
            assertThat(http.get("/api/v1/status").statusCode()).isEqualTo(200);
            assertThat(http.postJson("/api/v1/predictions", Digits.pixelsJson(0)).statusCode()).isEqualTo(200);
        }
        assertThat(statuses).containsKeys(400, 415);
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Flips, inserts, deletes or truncates a few bytes of a valid body. */
    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] bytes = valid.clone();
        int edits = random.nextInt(1, 8);
        for (int e = 0; e < edits && bytes.length > 0; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(4)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256);
                case 1 -> bytes = java.util.Arrays.copyOf(bytes, at);
                case 2 -> bytes[at] = (byte) "{}[],:\"0-9e.".charAt(random.nextInt(12));
                default -> {
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
            }
        }
        return bytes;
    }

    /** Plausible but wrong JSON: odd types, sizes, numbers and nesting. */
    private static byte[] structuredJunk(SplittableRandom random) {
        String[] values = {"null", "true", "1e309", "-0", "\"255\"", "[]", "{}", "1.5", "-1", "256", "1e-400",
                "\"\\u0000\"", "[[1]]", "9999999999999999999999"};
        StringBuilder json = new StringBuilder("{\"pixels\":[");
        int n = random.nextInt(10) == 0 ? 784 : random.nextInt(0, 1_000);
        for (int i = 0; i < n; i++) {
            json.append(i > 0 ? "," : "").append(random.nextInt(20) == 0 ? values[random.nextInt(values.length)]
                    : Integer.toString(random.nextInt(0, 256)));
        }
        json.append(random.nextBoolean() ? "]}" : "],\"label\":" + values[random.nextInt(values.length)] + "}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
