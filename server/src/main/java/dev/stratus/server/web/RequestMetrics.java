package dev.stratus.server.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code http.server.requests}, by route template, method and status. The timer for each
 * combination is looked up in a map of its own rather than built and registered per request.
 */
final class RequestMetrics {
    private record Key(String route, String method, int status) {
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String route, String method, int status, long nanos) {
        timers.computeIfAbsent(new Key(route, method, status), key -> Timer.builder("http.server.requests")
                        .tags("route", key.route(), "method", key.method(), "status", Integer.toString(key.status()))
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
