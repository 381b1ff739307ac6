package dev.stratus.server.models;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each model version's own meters, for comparing versions side by side: requests answered, time
 * per batch, corrections users sent for its answers, and a shadow's comparisons (counted by
 * {@link ShadowRunner} in the same registry). Tagged {@code version}; looked up once per
 * version, not per request. {@link #live} and {@link #shadow} are the JSON shapes that
 * {@code GET /api/v1/models} shows, here and as Kafka workers publish them.
 */
public final class VersionMeters {
    static final String REQUESTS = "stratus.model.requests";
    static final String INFERENCE = "stratus.model.inference";
    static final String CORRECTIONS = "stratus.model.corrections";
    static final String SHADOW_COMPARED = "stratus.model.shadow.compared";
    static final String SHADOW_DISAGREED = "stratus.model.shadow.disagreed";
    static final String SHADOW_SKIPPED = "stratus.model.shadow.skipped";

    private final MeterRegistry meters;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> inference = new ConcurrentHashMap<>();
    private final Map<String, Counter> corrections = new ConcurrentHashMap<>();

    public VersionMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /** {@code count} requests answered by {@code version} in one batch that took {@code nanos}. */
    public void answered(String version, int count, long nanos) {
        requests.computeIfAbsent(version, v -> Counter.builder(REQUESTS).tag("version", v)
                .description("Requests answered by each model version").register(meters)).increment(count);
        inference.computeIfAbsent(version, v -> Timer.builder(INFERENCE).tag("version", v)
                .description("Time of one batch on each model version").publishPercentiles(0.5, 0.99)
                .register(meters)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A user said an answer of {@code version} was wrong. */
    public void corrected(String version) {
        corrections.computeIfAbsent(version, v -> Counter.builder(CORRECTIONS).tag("version", v)
                .description("Labels that contradicted an answer of each model version").register(meters)).increment();
    }

    public MeterRegistry registry() {
        return meters;
    }

    /** The versions that answered requests here, were corrected here, or were compared as a shadow. */
    public Set<String> versions() {
        Set<String> all = new TreeSet<>(requests.keySet());
        all.addAll(corrections.keySet());
        meters.find(SHADOW_COMPARED).counters().forEach(c -> all.add(c.getId().getTag("version")));
        meters.find(SHADOW_SKIPPED).counters().forEach(c -> all.add(c.getId().getTag("version")));
        return all;
    }

    /** {@code version}'s live numbers here: requests, corrections and their share, batch latency. */
    public Map<String, Object> live(String version) {
        double answered = count(REQUESTS, version);
        double corrected = count(CORRECTIONS, version);
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("requests", (long) answered);
        live.put("corrections", (long) corrected);
        live.put("correctionShare", answered == 0 ? null : corrected / answered);
        Timer batches = meters.find(INFERENCE).tag("version", version).timer();
        if (batches != null && batches.count() > 0) {
            live.put("batches", batches.count());
            live.put("batchMeanMs", batches.mean(TimeUnit.MICROSECONDS) / 1000);
            for (ValueAtPercentile p : batches.takeSnapshot().percentileValues()) {
                live.put(p.percentile() == 0.5 ? "batchMedianMs" : "batchP99Ms", p.value(TimeUnit.MICROSECONDS) / 1000);
            }
        }
        return live;
    }

    /** How {@code version}, as a shadow, compared with the answers users got: counts and the agreement share. */
    public Map<String, Object> shadow(String version) {
        double compared = count(SHADOW_COMPARED, version);
        double disagreed = count(SHADOW_DISAGREED, version);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", version);
        s.put("compared", (long) compared);
        s.put("disagreed", (long) disagreed);
        s.put("skipped", (long) count(SHADOW_SKIPPED, version));
        s.put("agreement", compared == 0 ? null : 1 - disagreed / compared);
        return s;
    }

    private double count(String name, String version) {
        Counter c = meters.find(name).tag("version", version).counter();
        return c == null ? 0 : c.count();
    }
}
