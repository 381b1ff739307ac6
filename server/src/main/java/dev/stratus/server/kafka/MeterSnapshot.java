package dev.stratus.server.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner.Disagreement;
import dev.stratus.server.models.VersionMeters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One worker's per-version meters at one time, as it publishes them on {@link Topics#METERS}
 * (JSON, key = worker id): what it serves, each version's live numbers ({@link VersionMeters#live})
 * and each shadow's comparisons ({@link VersionMeters#shadow}), counted since the worker started,
 * with the worker's latest disagreements for review ({@code recentDisagreements}, at most
 * {@value #DISAGREEMENTS_PER_WORKER}: id, the version and digit the user got, the shadow's).
 *
 * @param worker the worker's id
 * @param at     when it was taken, epoch milliseconds (a gateway ages out old ones)
 */
public record MeterSnapshot(String worker, long at, String active, String shadow, List<String> loaded,
                            Map<String, Map<String, Object>> versions, Map<String, Map<String, Object>> shadows) {
    /** How often a worker publishes. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** A snapshot older than this is a worker gone (stopped, crashed, partitioned away). */
    public static final Duration STALE_AFTER = Duration.ofSeconds(30);
    /** Disagreements a worker sends in each snapshot, its latest. */
    public static final int DISAGREEMENTS_PER_WORKER = 20;
    /** Disagreements a gateway shows, summed over workers. */
    public static final int DISAGREEMENTS_SHOWN = 100;
    private static final String DISAGREEMENTS = "recentDisagreements";
    private static final ObjectMapper JSON = new ObjectMapper();

    public MeterSnapshot {
        if (worker == null || worker.isBlank() || active == null) {
            throw new IllegalArgumentException("a meter snapshot names its worker and the version it serves");
        }
        loaded = loaded == null ? List.of() : List.copyOf(loaded);
        versions = versions == null ? Map.of() : Map.copyOf(versions);
        shadows = shadows == null ? Map.of() : Map.copyOf(shadows);
    }

    /** What {@code router} serves, what {@code meters} counted and the shadow's {@code disagreements}, now. */
    public static MeterSnapshot of(String worker, ModelRouter router, VersionMeters meters,
                                   List<Disagreement> disagreements, long now) {
        Map<String, Map<String, Object>> versions = new TreeMap<>();
        Map<String, Map<String, Object>> shadows = new TreeMap<>();
        for (String version : meters.versions()) {
            Map<String, Object> live = meters.live(version);
            if (((Number) live.get("requests")).longValue() > 0) {
                versions.put(version, live);
            }
            Map<String, Object> shadow = new LinkedHashMap<>(meters.shadow(version));
            if (((Number) shadow.get("compared")).longValue() + ((Number) shadow.get("skipped")).longValue() > 0) {
                List<Disagreement> mine = disagreements.stream().filter(d -> d.shadowVersion().equals(version)).toList();
                shadow.put(DISAGREEMENTS, mine.subList(Math.max(0, mine.size() - DISAGREEMENTS_PER_WORKER), mine.size()));
                shadows.put(version, shadow);
            }
        }
        return new MeterSnapshot(worker, now, router.activeVersion(), router.shadowVersion().orElse(null),
                router.loadedVersions(), versions, shadows);
    }

    public byte[] json() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A published snapshot; a record that is not one is an {@link IOException} (logged and skipped by readers). */
    public static MeterSnapshot parse(byte[] value) throws IOException {
        try {
            return JSON.readValue(value, MeterSnapshot.class);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a meter snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Live numbers of one version summed over workers: requests, corrections and batches added,
     * the batch mean weighted by batches, the p99 the largest worker's (an upper bound: percentiles
     * do not add up). Corrections are counted where users send them, at gateways: {@code corrections}.
     */
    public static Map<String, Object> sum(List<Map<String, Object>> lives, long corrections) {
        long requests = 0;
        long batches = 0;
        double weightedMean = 0;
        Double p99 = null;
        for (Map<String, Object> live : lives) {
            requests += number(live, "requests");
            long b = number(live, "batches");
            batches += b;
            if (live.get("batchMeanMs") instanceof Number mean) {
                weightedMean += mean.doubleValue() * b;
            }
            if (live.get("batchP99Ms") instanceof Number p) {
                p99 = p99 == null ? p.doubleValue() : Math.max(p99, p.doubleValue());
            }
        }
        Map<String, Object> sum = new LinkedHashMap<>();
        sum.put("requests", requests);
        sum.put("corrections", corrections);
        sum.put("correctionShare", requests == 0 ? null : (double) corrections / requests);
        if (batches > 0) {
            sum.put("batches", batches);
            sum.put("batchMeanMs", weightedMean / batches);
            sum.put("batchP99Ms", p99);
        }
        return sum;
    }

    /**
     * A shadow's comparisons summed over workers, the agreement share recomputed, and the workers'
     * latest disagreements together (at most {@value #DISAGREEMENTS_SHOWN}).
     */
    public static Map<String, Object> sumShadow(String version, List<Map<String, Object>> shadows) {
        long compared = 0;
        long disagreed = 0;
        long skipped = 0;
        List<Object> recent = new ArrayList<>();
        for (Map<String, Object> s : shadows) {
            compared += number(s, "compared");
            disagreed += number(s, "disagreed");
            skipped += number(s, "skipped");
            if (s.get(DISAGREEMENTS) instanceof List<?> list) {
                recent.addAll(list);
            }
        }
        Map<String, Object> sum = new LinkedHashMap<>();
        sum.put("version", version);
        sum.put("compared", compared);
        sum.put("disagreed", disagreed);
        sum.put("skipped", skipped);
        sum.put("agreement", compared == 0 ? null : 1 - (double) disagreed / compared);
        sum.put(DISAGREEMENTS, recent.subList(Math.max(0, recent.size() - DISAGREEMENTS_SHOWN), recent.size()));
        return sum;
    }

    private static long number(Map<String, Object> map, String key) {
        return map.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
