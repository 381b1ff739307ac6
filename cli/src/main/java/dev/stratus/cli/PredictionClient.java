package dev.stratus.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of {@code bench serve}: one {@link HttpClient} (HTTP/1.1, keep-alive) that sends
 * prediction requests either asynchronously or from a pool of platform threads that each block
 * on a request. Both complete a future, so the load generator does not care which.
 */
final class PredictionClient implements OpenLoop.Target, AutoCloseable {
    static final String PREDICTIONS = "/api/v1/predictions";
    /** The public status route: the server's port alone says whether it is ready (health is on its management port). */
    static final String READY = "/api/v1/status";

    /**
     * How requests are sent. Measured on 2 busy cores against the real server (Java 17, so no
     * virtual threads): THREADS answered about twice as many requests per second as ASYNC for half
     * the client CPU per request; NIO, the default, costs less again (docs/benchmarks.md).
     */
    enum Mode {
        /** {@link NioClient}: non-blocking sockets on one selector thread, a fraction of the others' CPU per request. */
        NIO,
        /** {@code sendAsync}: no thread per request; the client's executor and selector do the work. */
        ASYNC,
        /** one platform thread per connection, each blocked in {@code send}. */
        THREADS
    }

    /** What came back: the HTTP status and, for a 200, the {@code digit} field (-1 when absent). */
    record Answer(int status, int digit) {
        /** The answer to a prediction request: for a 200, the digit is read from the body. */
        static Answer of(int status, byte[] body) {
            return new Answer(status, status == 200 ? digitOf(body) : -1);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final HttpResponse.BodyHandler<byte[]> BODY_OF_200 = info -> info.statusCode() == 200
            ? HttpResponse.BodySubscribers.ofByteArray()
            : HttpResponse.BodySubscribers.replacing(null);

    private final URI predictions;
    private final URI ready;
    private final Mode mode;
    private final Duration timeout;
    private final HttpClient http;
    private final ExecutorService completions;
    private final ExecutorService senders;

    PredictionClient(URI base, Mode mode, int connections, Duration timeout) {
        this.predictions = base.resolve(PREDICTIONS);
        this.ready = base.resolve(READY);
        this.mode = mode;
        this.timeout = timeout;
        // The client's default executor is a cached pool: under a steady stream of answers it keeps
        // creating and retiring threads, which cost more CPU than the requests. A fixed few do not.
        this.completions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemonThreads("bench-http-"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(completions)
                .build();
        this.senders = mode == Mode.THREADS ? Executors.newFixedThreadPool(connections, daemonThreads("bench-sender-"))
                : null;
    }

    @Override
    public CompletableFuture<Answer> send(byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(predictions)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        if (mode == Mode.ASYNC) {
            return http.sendAsync(request, BODY_OF_200).thenApply(PredictionClient::answer);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return answer(http.send(request, BODY_OF_200));
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, senders);
    }

    /** Whether {@code GET /api/v1/status} answers 200 (ready) now; false on any failure. */
    boolean isReady() {
        try {
            HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Answer answer(HttpResponse<byte[]> response) {
        return Answer.of(response.statusCode(), response.body());
    }

    /**
     * The top-level {@code digit} field of a prediction (-1 when absent or not JSON), read with a streaming parser that stops
     * there: the rest (probabilities, the echoed input) is not needed and would cost the client CPU
     * that the server on the same machine wants.
     */
    static int digitOf(byte[] json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("digit".equals(name)) {
                    return value == JsonToken.VALUE_NUMBER_INT ? parser.getIntValue() : -1;
                }
                parser.skipChildren();
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        if (senders != null) {
            senders.shutdownNow();
        }
        completions.shutdownNow();
    }
}
