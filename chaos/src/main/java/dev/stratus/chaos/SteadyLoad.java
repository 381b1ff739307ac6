package dev.stratus.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.mnist.LabeledImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Requests at a constant arrival rate (open loop: a slow answer does not delay the next
 * request), each a real MNIST test digit as {@code {"pixels": [...]}}, and what came of each.
 */
final class SteadyLoad {
    /** Longest a request may take before it counts as failed (the app answers 504 well before). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: when it was sent and ended, its status (0: no HTTP answer), the answer if 200. */
    record Outcome(int image, long sentNanos, long endNanos, int status, JsonNode answer, String failure) {
        boolean answered() {
            return status == 200 && answer != null;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final LabeledImages images;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    private int sent;

    SteadyLoad(LabeledImages images) {
        this.images = images;
    }

    /** Another load over the same digits, whose outcomes are its own (a warm-up, say). */
    SteadyLoad sibling() {
        return new SteadyLoad(images);
    }

    /** Sends {@code perSecond} requests a second to {@code url} (read before each) until {@code untilNanos}. */
    void run(Supplier<String> url, int perSecond, long untilNanos) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; ; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            if (due >= untilNanos) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            send(url.get(), sent++ % images.count());
        }
    }

    /** Sends one request now. */
    CompletableFuture<Void> send(String url, int image) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/predictions"))
                .header("Content-Type", "application/json").timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(pixelsJson(image))).build();
        long sentNanos = System.nanoTime();
        CompletableFuture<Void> done = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    outcomes.add(outcome(image, sentNanos, response, failure));
                    return null;
                });
        synchronized (inFlight) {
            inFlight.add(done);
        }
        return done;
    }

    /** Waits for every request sent so far (each is bounded by {@link #REQUEST_TIMEOUT}). */
    List<Outcome> finish() {
        List<CompletableFuture<Void>> all;
        synchronized (inFlight) {
            all = List.copyOf(inFlight);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return List.copyOf(outcomes);
    }

    /** The outcomes so far. */
    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    int label(int image) {
        return images.label(image);
    }

    HttpClient client() {
        return client;
    }

    private static Outcome outcome(int image, long sentNanos, HttpResponse<String> response, Throwable failure) {
        long end = System.nanoTime();
        if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            return new Outcome(image, sentNanos, end, 0, null, cause.getClass().getSimpleName());
        }
        JsonNode answer = null;
        String problem = null;
        if (response.statusCode() == 200) {
            try {
                answer = JSON.readTree(response.body());
            } catch (java.io.IOException e) {
                problem = "unreadable answer: " + e.getMessage();
            }
        } else {
            problem = response.body().length() > 200 ? response.body().substring(0, 200) : response.body();
        }
        return new Outcome(image, sentNanos, end, response.statusCode(), answer, problem);
    }

    private String pixelsJson(int image) {
        StringJoiner joiner = new StringJoiner(",", "{\"pixels\":[", "]}");
        byte[] pixels = images.pixels();
        for (int i = image * 784; i < (image + 1) * 784; i++) {
            joiner.add(Integer.toString(pixels[i] & 0xff));
        }
        return joiner.toString();
    }
}
