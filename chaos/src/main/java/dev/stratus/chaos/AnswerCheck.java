package dev.stratus.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Reads every answered prediction back through the app's own API ({@code GET
 * /api/v1/predictions/{id}}) and has the tally judge it against the answer. A read that fails
 * (the store restarting, say) is tried again for up to {@link #PATIENCE}; a 404 that stays a
 * 404 is a lost prediction.
 */
final class AnswerCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int PARALLEL = 8;

    private final HttpClient client;
    private final String url;

    AnswerCheck(HttpClient client, String url) {
        this.client = client;
        this.url = url;
    }

    /** Checks each answered outcome; {@code labels} holds the labels the app acknowledged, by id. */
    void checkAll(List<SteadyLoad.Outcome> outcomes, Map<String, Integer> labels, SoakTally tally, PrintStream out)
            throws InterruptedException {
        Semaphore slots = new Semaphore(PARALLEL);
        List<SteadyLoad.Outcome> answered = outcomes.stream().filter(SteadyLoad.Outcome::answered).toList();
        CompletableFuture<?>[] reads = new CompletableFuture<?>[answered.size()];
        for (int i = 0; i < answered.size(); i++) {
            slots.acquire();
            JsonNode answer = answered.get(i).answer();
            reads[i] = CompletableFuture.supplyAsync(() -> read(answer.path("id").asText()))
                    .whenComplete((stored, failure) -> {
                        slots.release();
                        synchronized (tally) {
                            tally.check(answer, failure == null ? stored : null, labels.get(answer.path("id").asText()));
                        }
                    });
            if (i > 0 && i % 2000 == 0) {
                out.printf("  checked %d of %d%n", i, answered.size());
            }
        }
        CompletableFuture.allOf(reads).exceptionally(e -> null).join();
    }

    /** The stored prediction as the API serves it, or null when it stays not found. */
    private JsonNode read(String id) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/predictions/" + id))
                .timeout(Duration.ofSeconds(10)).GET().build();
        while (true) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return JSON.readTree(response.body());
                }
            } catch (IOException e) {
                // The app or its store is not there this instant; try again until the deadline.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** The status of a GET of {@code uri}; 0 when nothing answers. */
    static int status(URI uri) {
        try {
            return PROBE.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
