package dev.stratus.cli;

import dev.stratus.core.chart.LineChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/** The results of {@code bench serve}: text per step, a summary table, the JSON document and the PNG. */
final class ServeReport {
    /** The status codes the API documents for load: each gets its own column. */
    static final List<Integer> STATUSES = List.of(200, 429, 503, 504);
    private static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
    private static final int PLOTTED_STEPS = LineChart.PALETTE.size();

    private ServeReport() {
    }

    static double millis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1e3;
    }

    static double maxMillis(Histogram histogram) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1e3;
    }

    /** Statuses outside {@link #STATUSES}. */
    static long otherStatuses(StepTally tally) {
        return tally.statuses().entrySet().stream().filter(e -> !STATUSES.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }

    static double recognisedPercent(StepTally tally) {
        long checked = tally.checked.sum();
        return checked == 0 ? Double.NaN : 100.0 * tally.correct.sum() / checked;
    }

    /** Whether a step kept up: every request answered 200 and p99 within the objective. */
    static boolean sustained(OpenLoop.StepResult result, double sloMillis) {
        return result.tally().errors() == 0 && result.abandoned() == 0
                && millis(result.tally().all, 99) <= sloMillis;
    }

    /** The highest offered rate that was sustained, if any. */
    static OptionalDouble sustainedRate(List<OpenLoop.StepResult> results, double sloMillis) {
        return results.stream().filter(r -> sustained(r, sloMillis)).mapToDouble(r -> r.step().rate()).max();
    }

    static void printStep(PrintWriter out, OpenLoop.StepResult r) {
        StepTally t = r.tally();
        out.printf("Rate %.0f/s for %.0f s: %d scheduled, %d sent; achieved %.1f answers/s, %.1f of them 200/s%n",
                r.step().rate(), r.step().seconds(), r.scheduled(), t.sent.sum(), r.throughput(), r.goodput());
        out.printf("  latency from intended send (ms): p50 %.2f  p95 %.2f  p99 %.2f  p99.9 %.2f  max %.2f"
                        + "   (200s only: p99 %.2f)%n", millis(t.all, 50), millis(t.all, 95), millis(t.all, 99),
                millis(t.all, 99.9), maxMillis(t.all), millis(t.ok, 99));
        out.printf("  answers: 200 %d | 429 %d | 503 %d | 504 %d | other %d | connection errors %d | timeouts %d"
                        + " | never sent %d | abandoned %d%n", t.status(200), t.status(429), t.status(503),
                t.status(504), otherStatuses(t), t.connectionErrors.sum(), t.timeouts.sum(), t.unsent.sum(),
                r.abandoned());
        long wrong = t.checked.sum() - t.correct.sum();
        out.printf("  recognised: %.2f %% of %d answered digits (%d wrong)%n", recognisedPercent(t), t.checked.sum(), wrong);
        out.printf("  CPU per request: this client %.3f ms, server %s%n", cpuMillisPerRequest(r, r.clientCpuSeconds()),
                Double.isNaN(r.serverCpuSeconds()) ? "unknown (--url)"
                        : String.format("%.3f ms", cpuMillisPerRequest(r, r.serverCpuSeconds())));
        out.flush();
    }

    static void printSummary(PrintWriter out, List<OpenLoop.StepResult> results, double sloMillis) {
        out.println();
        out.printf("%9s %9s %8s %8s %8s %9s %9s %8s %7s %7s %7s %6s %7s %7s%n", "offered/s", "achieved", "p50 ms",
                "p95 ms", "p99 ms", "p99.9 ms", "max ms", "200", "429", "503", "504", "other", "failed", "recog %");
        for (OpenLoop.StepResult r : results) {
            StepTally t = r.tally();
            out.printf("%9.0f %9.1f %8.2f %8.2f %8.2f %9.2f %9.2f %8d %7d %7d %7d %6d %7d %7.2f%n", r.step().rate(),
                    r.goodput(), millis(t.all, 50), millis(t.all, 95), millis(t.all, 99), millis(t.all, 99.9),
                    maxMillis(t.all), t.status(200), t.status(429), t.status(503), t.status(504), otherStatuses(t),
                    t.connectionErrors.sum() + t.timeouts.sum() + t.unsent.sum() + r.abandoned(),
                    recognisedPercent(t));
        }
        OptionalDouble best = sustainedRate(results, sloMillis);
        out.printf("Highest offered rate with every request answered 200 and p99 <= %.0f ms: %s%n", sloMillis,
                best.isPresent() ? String.format("%.0f/s", best.getAsDouble()) : "none of these");
        out.flush();
    }

    static Map<String, Object> stepJson(OpenLoop.StepResult r, double sloMillis) {
        StepTally t = r.tally();
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("offeredRate", r.step().rate());
        step.put("seconds", r.step().seconds());
        step.put("connections", r.step().connections());
        step.put("scheduled", r.scheduled());
        step.put("sent", t.sent.sum());
        step.put("answered", t.answered.sum());
        step.put("elapsedSeconds", r.elapsedSeconds());
        step.put("throughput", r.throughput());
        step.put("goodput", r.goodput());
        step.put("latencyMs", latencyJson(t.all));
        step.put("okLatencyMs", latencyJson(t.ok));
        Map<String, Object> statuses = new LinkedHashMap<>();
        STATUSES.forEach(code -> statuses.put(code.toString(), t.status(code)));
        statuses.put("other", otherStatuses(t));
        step.put("status", statuses);
        Map<String, Long> byCode = new LinkedHashMap<>();
        t.statuses().forEach((code, count) -> byCode.put(code.toString(), count));
        step.put("statusByCode", byCode);
        step.put("connectionErrors", t.connectionErrors.sum());
        step.put("timeouts", t.timeouts.sum());
        step.put("neverSent", t.unsent.sum());
        step.put("abandoned", r.abandoned());
        step.put("checked", t.checked.sum());
        step.put("correct", t.correct.sum());
        step.put("recognisedPercent", t.checked.sum() == 0 ? null : recognisedPercent(t));
        step.put("sustained", sustained(r, sloMillis));
        step.put("clientCpuMsPerRequest", finiteOrNull(cpuMillisPerRequest(r, r.clientCpuSeconds())));
        step.put("serverCpuMsPerRequest", finiteOrNull(cpuMillisPerRequest(r, r.serverCpuSeconds())));
        return step;
    }

    static double cpuMillisPerRequest(OpenLoop.StepResult r, double cpuSeconds) {
        long sent = r.tally().sent.sum();
        return sent == 0 ? Double.NaN : 1e3 * cpuSeconds / sent;
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static Map<String, Object> latencyJson(Histogram h) {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", h.getTotalCount());
        latency.put("mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1e3);
        latency.put("p50", millis(h, 50));
        latency.put("p90", millis(h, 90));
        latency.put("p95", millis(h, 95));
        latency.put("p99", millis(h, 99));
        latency.put("p99.9", millis(h, 99.9));
        latency.put("max", maxMillis(h));
        List<Map<String, Double>> curve = new ArrayList<>();
        for (double p : PERCENTILES) {
            curve.add(Map.of("percentile", p, "ms", millis(h, p)));
        }
        latency.put("percentiles", curve);
        return latency;
    }

    /**
     * Three panels: latency by percentile (x in "nines": 1 = p90, 2 = p99, 3 = p99.9) for up to four
     * steps, answered-200 throughput against offered rate, and p50/p99/p99.9 against offered rate.
     */
    static void writeChart(List<OpenLoop.StepResult> results, String title, Path png) throws IOException {
        List<LineChart.Series> curves = new ArrayList<>();
        for (OpenLoop.StepResult r : plotted(results)) {
            double[] nines = new double[PERCENTILES.length];
            double[] ms = new double[PERCENTILES.length];
            for (int i = 0; i < PERCENTILES.length; i++) {
                nines[i] = -Math.log10(1 - PERCENTILES[i] / 100);
                ms[i] = millis(r.tally().all, PERCENTILES[i]);
            }
            curves.add(new LineChart.Series(String.format("%.0f/s", r.step().rate()), nines, ms));
        }
        double[] offered = results.stream().mapToDouble(r -> r.step().rate()).toArray();
        double[] goodput = results.stream().mapToDouble(OpenLoop.StepResult::goodput).toArray();
        LineChart.write(title, List.of(
                new LineChart.Panel("Latency by percentile (from intended send)", "nines (1 = p90, 2 = p99, 3 = p99.9)",
                        "latency (ms)", curves),
                new LineChart.Panel("Throughput", "offered (requests/s)", "requests/s", List.of(
                        new LineChart.Series("answered 200", offered, goodput),
                        new LineChart.Series("offered", offered, offered))),
                new LineChart.Panel("Latency against load", "offered (requests/s)", "latency (ms)", List.of(
                        percentileSeries("p50", results, 50), percentileSeries("p99", results, 99),
                        percentileSeries("p99.9", results, 99.9)))), png);
    }

    private static LineChart.Series percentileSeries(String name, List<OpenLoop.StepResult> results, double p) {
        return new LineChart.Series(name, results.stream().mapToDouble(r -> r.step().rate()).toArray(),
                results.stream().mapToDouble(r -> millis(r.tally().all, p)).toArray());
    }

    /** At most as many steps as there are colours, spread over the run, the last one always included. */
    private static List<OpenLoop.StepResult> plotted(List<OpenLoop.StepResult> results) {
        if (results.size() <= PLOTTED_STEPS) {
            return results;
        }
        List<OpenLoop.StepResult> picked = new ArrayList<>();
        for (int i = 0; i < PLOTTED_STEPS; i++) {
            picked.add(results.get((int) Math.round(i * (results.size() - 1) / (double) (PLOTTED_STEPS - 1))));
        }
        return picked;
    }
}
