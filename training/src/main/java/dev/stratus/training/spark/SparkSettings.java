package dev.stratus.training.spark;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to train on Spark.
 *
 * @param master         {@code local[N]}, {@code local[*]}, {@code spark://host:port}, {@code k8s://...}
 * @param workers        replicas, one shard and one task each per round (0: N of {@code local[N]})
 * @param localSteps     optimisation steps each replica takes between two averagings
 * @param executorMemory heap of each executor (cluster masters only)
 * @param threads        PyTorch threads in each executor (0: one per executor core)
 * @param conf           further Spark settings, passed through
 */
public record SparkSettings(String master, int workers, int localSteps, String executorMemory, int threads,
                            Map<String, String> conf) {
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]");

    public SparkSettings {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("a Spark master is needed: local[N], spark://host:port or k8s://...");
        }
        if (workers < 0 || localSteps <= 0 || threads < 0) {
            throw new IllegalArgumentException("workers and threads cannot be negative, local steps must be positive");
        }
        conf = Map.copyOf(conf);
        if (workers == 0) {
            workers = localThreads(master);
        }
    }

    /** The settings without the cluster's secret, for logs and messages. */
    @Override
    public String toString() {
        Map<String, String> shown = new java.util.TreeMap<>(conf);
        shown.computeIfPresent("spark.authenticate.secret", (key, secret) -> "(set)");
        return "SparkSettings[" + master + ", workers " + workers + ", local steps " + localSteps + ", executor memory "
                + executorMemory + ", threads " + threads + ", " + shown + "]";
    }

    /** True for an in-process master: executors share the driver's JVM. */
    public boolean local() {
        return master.equals("local") || master.startsWith("local[");
    }

    /** True when the master and so the executors run on this machine: the driver may bind to loopback. */
    public boolean onThisMachine() {
        return local() || master.matches("spark://(127\\.0\\.0\\.1|localhost)(:\\d+)?(,.*)?");
    }

    private static int localThreads(String master) {
        if (master.equals("local")) {
            return 1;
        }
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) {
            throw new IllegalArgumentException("say how many replicas to train with --workers N when the master is "
                    + master);
        }
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }
}
