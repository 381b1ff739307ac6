package dev.stratus.server.models;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each model version's own meters, for comparing versions side by side: requests answered, time
 * per batch, corrections users sent for its answers. Tagged {@code version}; looked up once per
 * version, not per request.
 */
public final class VersionMeters {
    private final MeterRegistry meters;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> inference = new ConcurrentHashMap<>();
    private final Map<String, Counter> corrections = new ConcurrentHashMap<>();

    public VersionMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /** {@code count} requests answered by {@code version} in one batch that took {@code nanos}. */
    public void answered(String version, int count, long nanos) {
        requests.computeIfAbsent(version, v -> Counter.builder("stratus.model.requests").tag("version", v)
                .description("Requests answered by each model version").register(meters)).increment(count);
        inference.computeIfAbsent(version, v -> Timer.builder("stratus.model.inference").tag("version", v)
                .description("Time of one batch on each model version").publishPercentiles(0.5, 0.99)
                .register(meters)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A user said an answer of {@code version} was wrong. */
    public void corrected(String version) {
        corrections.computeIfAbsent(version, v -> Counter.builder("stratus.model.corrections").tag("version", v)
                .description("Labels that contradicted an answer of each model version").register(meters)).increment();
    }

    public MeterRegistry registry() {
        return meters;
    }
}
