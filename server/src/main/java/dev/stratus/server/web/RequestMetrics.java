package dev.stratus.server.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code http.server.requests}, by route template, method and status. Every tag comes from a
 * small closed set, so that no client can add series: a method outside RFC 9110's is
 * {@code OTHER}, a path no route has is {@link #NOT_FOUND} (the router's templates and
 * {@code static} are the only other routes), and statuses are the server's own. The timer for
 * each combination is looked up in a map of its own rather than built and registered per request.
 * {@code stratus.http.requests.aborted} counts requests that never arrived whole, by reason.
 */
final class RequestMetrics {
    /** The route tag of a request that matched no route and no file. */
    static final String NOT_FOUND = "NOT_FOUND";
    static final String OTHER_METHOD = "OTHER";
    /** Aborted: the client closed or reset its connection in the middle of a request. */
    static final String CLIENT_CLOSED = "client_closed";
    /** Aborted: the request did not arrive whole within the request timeout. */
    static final String TOO_SLOW = "too_slow";
    private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.CONNECT, HttpMethod.OPTIONS, HttpMethod.TRACE,
            HttpMethod.PATCH);

    private record Key(String route, String method, int status) {
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Counter clientClosed;
    private final Counter tooSlow;

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.clientClosed = aborted(registry, CLIENT_CLOSED);
        this.tooSlow = aborted(registry, TOO_SLOW);
    }

    private static Counter aborted(MeterRegistry registry, String reason) {
        return Counter.builder("stratus.http.requests.aborted").tag("reason", reason)
                .description("Requests that never arrived whole: the client went away, or was too slow")
                .register(registry);
    }

    /** One of {@link #CLIENT_CLOSED} or {@link #TOO_SLOW}. */
    void aborted(String reason) {
        (TOO_SLOW.equals(reason) ? tooSlow : clientClosed).increment();
    }

    /** {@code route} is a template the router matched, {@code static}, or null for none. */
    void record(String route, HttpMethod method, int status, long nanos) {
        Key key = new Key(route == null ? NOT_FOUND : route, methodTag(method), status);
        timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                        .tags("route", k.route(), "method", k.method(), "status", Integer.toString(k.status()))
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    static String methodTag(HttpMethod method) {
        return KNOWN_METHODS.contains(method) ? method.name() : OTHER_METHOD;
    }
}
