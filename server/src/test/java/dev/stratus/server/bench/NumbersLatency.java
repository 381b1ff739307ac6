package dev.stratus.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Backend;
import dev.stratus.server.Numbers;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end latency of {@code POST /api/v1/numbers} on the embedded server: numbers of
 * {@code --length} digits composed from MNIST test digits (gapped), each sent as a raw PNG by one
 * client over one keep-alive connection, one at a time, timed from the request to the whole
 * answer. Prints the median, p90, p99 and maximum, the server's own total, and how many were read
 * exactly. Run by {@code scripts/numbers-latency.sh [count] [length] [warm-up]}.
 */
public final class NumbersLatency {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NumbersLatency() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        List<byte[]> pngs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        NumberComposer composer = new NumberComposer(BenchDigits.load(),
                new NumberComposer.Settings(length, length, NumberComposer.Spacing.GAPPED), 1);
        for (int i = 0; i < 200; i++) {
            NumberComposer.Composed number = composer.next();
            pngs.add(Numbers.png(number.image()));
            labels.add(number.label());
        }
        Path data = Files.createTempDirectory("stratus-numbers-latency-");
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).build();
        try (Model model = Model.loadDefault(OnnxClassifier.Threads.SERVING);
             StratusServer server = StratusServer.start(config, Backend.embedded(config, model, false))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create(server.url() + "/api/v1/numbers");
            for (int i = 0; i < warmUp; i++) {
                send(client, uri, pngs.get(i % pngs.size()));
            }
            long[] wall = new long[count];
            long[] served = new long[count];
            long[] queued = new long[count];
            long[] inference = new long[count];
            long[] bytes = new long[count];
            int exact = 0;
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = send(client, uri, pngs.get(i % pngs.size()));
                wall[i] = (System.nanoTime() - start) / 1_000;
                JsonNode body = JSON.readTree(response.body());
                served[i] = body.get("timings").get("totalMicros").asLong();
                queued[i] = body.get("timings").get("queueMicros").asLong();
                inference[i] = body.get("timings").get("inferenceMicros").asLong();
                bytes[i] = response.body().length();
                exact += body.get("number").asText().equals(labels.get(i % labels.size())) ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "%d numbers of %d digits (PNG %d-%d bytes), %d warm-up requests%n", count,
                    length, pngs.stream().mapToInt(p -> p.length).min().orElse(0),
                    pngs.stream().mapToInt(p -> p.length).max().orElse(0), warmUp);
            System.out.printf(Locale.ROOT, "end to end (client): median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    percentile(wall, 0.5), percentile(wall, 0.9), percentile(wall, 0.99), percentile(wall, 1.0));
            System.out.printf(Locale.ROOT, "in the server (timings.totalMicros): median %.2f ms, p99 %.2f ms; of which "
                            + "queued median %.2f ms, segmented and classified median %.2f ms, p99 %.2f ms%n",
                    percentile(served, 0.5), percentile(served, 0.99), percentile(queued, 0.5), percentile(inference, 0.5),
                    percentile(inference, 0.99));
            System.out.printf(Locale.ROOT, "answers: median %.0f bytes of JSON%n", percentile(bytes, 0.5) * 1_000);
            System.out.printf(Locale.ROOT, "read exactly: %d of %d (%.1f %%)%n", exact, count, 100.0 * exact / count);
        } finally {
            deleteTree(data);
        }
    }

    private static HttpResponse<String> send(HttpClient client, URI uri, byte[] png) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /** The {@code q} quantile of microsecond samples, in milliseconds. */
    private static double percentile(long[] micros, double q) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[index] / 1_000.0;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
