package dev.stratus.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Real MNIST digits sent to a gateway at a steady rate, and what came back. */
final class Traffic {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final Map<Integer, Integer> statuses = new TreeMap<>();
    final Set<String> answeredIds = ConcurrentHashMap.newKeySet();
    final Set<String> modelVersions = ConcurrentHashMap.newKeySet();
    int sent;
    int correct;
    int failed;

    /** Sends {@code count} digits at {@code perSecond}, running {@code at} once {@code atSecond} seconds have passed. */
    static Traffic send(String baseUrl, int count, int perSecond, double atSecond, Runnable at) throws InterruptedException {
        Traffic traffic = new Traffic();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        long start = System.nanoTime();
        boolean fired = at == null;
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            if (!fired && System.nanoTime() - start >= atSecond * 1e9) {
                fired = true;
                at.run();
            }
            int digit = i;
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/predictions"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(Mnist.body(digit))).build();
            traffic.sent++;
            pending.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .handle((response, failure) -> {
                        traffic.record(response, failure, digit);
                        return null;
                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        return traffic;
    }

    private synchronized void record(HttpResponse<String> response, Throwable failure, int digit) {
        if (failure != null) {
            failed++;
            return;
        }
        statuses.merge(response.statusCode(), 1, Integer::sum);
        if (response.statusCode() == 200) {
            try {
                JsonNode answer = JSON.readTree(response.body());
                answeredIds.add(answer.path("id").asText());
                modelVersions.add(answer.path("modelVersion").asText());
                if (answer.path("digit").asInt() == Mnist.label(digit)) {
                    correct++;
                }
            } catch (IOException e) {
                failed++;
            }
        }
    }

    int answered() {
        return statuses.getOrDefault(200, 0);
    }

    static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** The status {@code GET url} answers. */
    static int status(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public synchronized String toString() {
        return "sent " + sent + ", statuses " + statuses + ", connection failures " + failed + ", correct " + correct;
    }
}
