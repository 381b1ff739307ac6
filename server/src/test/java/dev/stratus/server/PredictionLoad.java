package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Clients posting MNIST digits back to back until stopped, tallying answers by version and every failure. */
public final class PredictionLoad implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger answered = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();

    public PredictionLoad(Http http, int clients) {
        for (int c = 0; c < clients; c++) {
            int offset = c * 300;
            Thread t = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    try {
                        HttpResponse<String> r = http.postJson("/api/v1/predictions", Digits.pixelsJson((offset + i) % 2000));
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                        } else {
                            versions.computeIfAbsent(JSON.readTree(r.body()).get("modelVersion").asText(),
                                    v -> new AtomicInteger()).incrementAndGet();
                            answered.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            }, "load-" + c);
            t.start();
            threads.add(t);
        }
    }

    public void awaitAnswers(int count) throws InterruptedException {
        for (long end = System.nanoTime() + 60_000_000_000L; answered.get() < count && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
    }

    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    public int answered() {
        return answered.get();
    }

    public Map<String, AtomicInteger> versions() {
        return versions;
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** The version that answered MNIST test digit {@code index}. */
    public static String versionOf(Http http, int index) throws IOException {
        HttpResponse<String> answer = http.postJson("/api/v1/predictions", Digits.pixelsJson(index));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("modelVersion").asText();
    }
}
