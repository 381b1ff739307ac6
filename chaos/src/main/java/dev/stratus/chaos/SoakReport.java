package dev.stratus.chaos;

import dev.stratus.core.chart.LineChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The soak's counts as text (printed and written to report.txt) and its timeline as a picture. */
final class SoakReport {
    private SoakReport() {
    }

    static String text(String title, SoakTally t, List<KillWindow> kills, List<String> leftRunning, boolean passed) {
        StringBuilder s = new StringBuilder();
        s.append(title).append('\n');
        s.append(String.format("  sent %d, answered %d (%.2f %% correct digits), failed in kill windows %d, "
                        + "failed outside them %d%n", t.sent, t.answered, t.answered == 0 ? 0 : 100.0 * t.correct / t.answered,
                t.failedInWindows, t.failedOutsideWindows.size()));
        s.append("  statuses: ").append(t.byStatus.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", "))).append(t.noAnswer > 0 ? ", no HTTP answer x" + t.noAnswer : "")
                .append('\n');
        s.append(String.format("  stored %d, lost %d, duplicated %d, answer differs from record %d, redelivered %d%n",
                t.stored, t.lost.size(), t.duplicated.size(), t.differ.size(), t.redelivered));
        if (t.labels > 0 || !t.labelsLost.isEmpty()) {
            s.append(String.format("  labels acknowledged %d, lost %d%n", t.labels, t.labelsLost.size()));
        }
        if (!kills.isEmpty()) {
            double[] recovery = kills.stream().mapToDouble(KillWindow::recoverySeconds).sorted().toArray();
            s.append(String.format("  kills %d (%s); back after median %.1f s, longest %.1f s%n", kills.size(),
                    kills.stream().collect(Collectors.groupingBy(k -> k.role().replaceAll("-?\\d+$", ""),
                            java.util.TreeMap::new, Collectors.counting())).entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")),
                    recovery[recovery.length / 2], recovery[recovery.length - 1]));
        }
        s.append("  processes left running after the stop: ").append(leftRunning.size()).append('\n');
        for (Map.Entry<String, List<String>> problems : Map.of("lost", t.lost, "duplicated", t.duplicated,
                "differs", t.differ, "label lost", t.labelsLost, "failed outside a kill window", t.failedOutsideWindows,
                "left running", leftRunning).entrySet()) {
            problems.getValue().stream().limit(5).forEach(p -> s.append("    ").append(problems.getKey()).append(": ")
                    .append(p).append('\n'));
        }
        s.append(passed ? "  PASSED\n" : "  FAILED\n");
        return s.toString();
    }

    /** Answers and failures per second over the soak, with each kill as a spike. */
    static void chart(String title, List<SteadyLoad.Outcome> outcomes, List<KillWindow> kills, Path file)
            throws IOException {
        long startNanos = outcomes.stream().mapToLong(SteadyLoad.Outcome::sentNanos).min().orElse(0);
        int seconds = (int) Math.max(1, outcomes.stream().mapToLong(o -> o.sentNanos() - startNanos).max().orElse(0)
                / 1_000_000_000L + 1);
        double[] x = new double[seconds];
        double[] answered = new double[seconds];
        double[] failed = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            x[i] = i;
        }
        double peak = 1;
        for (SteadyLoad.Outcome o : outcomes) {
            int second = (int) Math.min(seconds - 1, Math.max(0, (o.sentNanos() - startNanos) / 1_000_000_000L));
            if (o.answered()) {
                peak = Math.max(peak, ++answered[second]);
            } else {
                failed[second]++;
            }
        }
        List<LineChart.Series> series = new ArrayList<>(List.of(new LineChart.Series("answered", x, answered),
                new LineChart.Series("failed", x, failed)));
        double[] killX = new double[kills.size() * 3];
        double[] killY = new double[kills.size() * 3];
        for (int i = 0; i < kills.size(); i++) {
            double at = (kills.get(i).killedNanos() - startNanos) / 1e9;
            killX[3 * i] = at;
            killX[3 * i + 1] = at;
            killX[3 * i + 2] = at;
            killY[3 * i + 1] = peak;
        }
        if (kills.size() > 0) {
            series.add(new LineChart.Series("kill -9", killX, killY));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        LineChart.write(title, List.of(new LineChart.Panel("requests by the second they were sent", "seconds",
                "requests", series)), file);
    }
}
