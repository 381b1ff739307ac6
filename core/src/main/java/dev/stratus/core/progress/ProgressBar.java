package dev.stratus.core.progress;

import java.io.PrintStream;

/**
 * A one-line text progress bar, redrawn in place with a carriage return. Redraws at most ten
 * times a second so that a fast loop does not flood a log.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;

    public ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    public void update(long done, String detail) {
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        draw(done, detail);
    }

    public void finish(String detail) {
        draw(total, detail);
        out.println();
    }

    private void draw(long done, String detail) {
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            line.append('[').append("=".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
            line.append(String.format("%3d%% ", 100 * Math.min(done, total) / total));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        line.append(detail).append(String.format(" %.1fs", seconds));
        out.print(line);
        out.flush();
    }
}
