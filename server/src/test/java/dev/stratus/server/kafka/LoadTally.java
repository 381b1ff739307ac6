package dev.stratus.server.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.server.Digits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady, bounded load on the gateways (round robin) and what came of it: which requests were
 * answered (with their ids), which timed out, which failed otherwise.
 */
final class LoadTally {
    private static final ObjectMapper JSON = new ObjectMapper();

    final AtomicInteger sent = new AtomicInteger();
    final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> answeredIds = new ConcurrentLinkedQueue<>();
    /** What an answer said, to compare with the stored document. */
    record Answer(java.time.Instant createdAt, int digit) {
    }

    /** Each answer, by id. */
    final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final AtomicInteger correct = new AtomicInteger();
    final AtomicInteger connectionErrors = new AtomicInteger();

    /** Sends {@code perSecond} requests a second for {@code seconds}, running {@code during} at {@code atSecond}. */
    static LoadTally run(List<String> gateways, int perSecond, int seconds, int atSecond, Runnable during)
            throws Exception {
        LoadTally tally = new LoadTally();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        long start = System.nanoTime();
        int total = perSecond * seconds;
        boolean done = false;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (!done && during != null && System.nanoTime() - start >= atSecond * 1_000_000_000L) {
                done = true;
                during.run();
            }
            int digit = i % 1000;
            String gateway = gateways.get(i % gateways.size());
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1/predictions"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(Digits.pixelsJson(digit))).build();
            tally.sent.incrementAndGet();
            inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .handle((response, failure) -> {
                        tally.record(response, failure, digit);
                        return null;
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        return tally;
    }

    private void record(HttpResponse<String> response, Throwable failure, int digit) {
        if (failure != null) {
            connectionErrors.incrementAndGet();
            return;
        }
        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
        if (response.statusCode() == 200) {
            try {
                var body = JSON.readTree(response.body());
                answeredIds.add(body.get("id").asText());
                answers.put(body.get("id").asText(),
                        new Answer(java.time.Instant.parse(body.get("createdAt").asText()), body.get("digit").asInt()));
                if (body.get("digit").asInt() == Digits.label(digit)) {
                    correct.incrementAndGet();
                }
            } catch (Exception e) {
                throw new AssertionError("unreadable answer " + response.body(), e);
            }
        }
    }

    int count(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    int answered() {
        return count(200);
    }

    int timedOut() {
        return count(504);
    }

    /** Statuses other than 200 and 504, and connection errors: must be none. */
    int otherFailures() {
        int other = connectionErrors.get();
        for (Map.Entry<Integer, AtomicInteger> e : statuses.entrySet()) {
            if (e.getKey() != 200 && e.getKey() != 504) {
                other += e.getValue().get();
            }
        }
        return other;
    }
}
