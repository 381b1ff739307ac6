package dev.stratus.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How answers are made and accounted for: JSON straight into the connection's buffer, every
 * failure through {@link Failures}, and for every answer one timer reading and one access log
 * line.
 */
final class Responses implements AutoCloseable {
    static final HttpResponseStatus OK = HttpResponseStatus.OK;
    static final HttpResponseStatus UNAVAILABLE = HttpResponseStatus.SERVICE_UNAVAILABLE;
    static final HttpResponseStatus NOT_MODIFIED = HttpResponseStatus.NOT_MODIFIED;
    static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");

    /** A step that may throw; {@link #guard} turns what it throws into the error answer. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private final ObjectMapper json;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;
    private final AtomicInteger inFlight = new AtomicInteger();

    Responses(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.metrics = new RequestMetrics(registry);
        this.accessLog = new AccessLog(registry, System.out);
    }

    void guard(Exchange exchange, Action action) {
        try {
            action.run();
        } catch (Throwable e) {
            fail(exchange, e);
        }
    }

    /** Serialises the body into a buffer of the exchange's allocator: no intermediate byte array. */
    void json(Exchange exchange, HttpResponseStatus status, Object body, CharSequence... headers) {
        ByteBuf buffer = exchange.allocator().buffer(4096);
        try (OutputStream out = new ByteBufOutputStream(buffer)) {
            json.writeValue(out, body);
        } catch (IOException | RuntimeException e) {
            buffer.release();
            throw new IllegalStateException("cannot serialise the answer", e);
        }
        exchange.respond(status, JSON, buffer, headers);
    }

    void fail(Exchange exchange, Throwable failure) {
        Failures.Answer answer = Failures.of(failure, exchange);
        HttpResponseStatus status = HttpResponseStatus.valueOf(answer.status());
        ApiError body = new ApiError(answer.code(), answer.detail());
        if (answer.retryAfterSeconds() > 0) {
            json(exchange, status, body, RETRY_AFTER, Long.toString(answer.retryAfterSeconds()));
        } else {
            json(exchange, status, body);
        }
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished(Exchange exchange, int status) {
        inFlight.decrementAndGet();
        long nanos = System.nanoTime() - exchange.startNanos();
        metrics.record(exchange.route(), exchange.method(), status, nanos);
        accessLog.record(new AccessLog.Entry(System.currentTimeMillis(), exchange.requestId(), exchange.client(),
                exchange.method().name(), exchange.path(), status, nanos / 1_000));
    }

    /** A request that never arrived whole; {@code reason} is one of {@link RequestMetrics}' abort reasons. */
    void aborted(String reason) {
        metrics.aborted(reason);
    }

    int inFlight() {
        return inFlight.get();
    }

    @Override
    public void close() {
        accessLog.close();
    }
}
