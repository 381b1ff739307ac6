package dev.stratus.core.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a component that may be touching digits could be cut: seams, paths from its top row to
 * its bottom row that move at most a column a row, each the path that crosses the least ink of
 * all paths through one column of the middle row (found by dynamic programming down from the top
 * and up from the bottom). Neighbours that touch or overlap leave a way between them that crosses
 * a stroke or two; a straight cut through an overlap takes a part of one digit into the other, a
 * seam bends round it. The seams kept are the local minima of that ink count across the middle
 * row, lowest first, each at least {@link #MIN_SLICE} of the height from the ends and from each
 * other.
 */
final class Seams {
    /** A slice is at least this share of the component's height wide, and so far from the next cut. */
    static final double MIN_SLICE = 0.1;
    /** Each column a seam moves sideways costs this much, against 1 for each pixel of ink it crosses. */
    static final double STEP_COST = 0.3;
    /** A seam that crosses more ink than this share of the height is no place to cut. */
    static final double MAX_INK = 0.6;

    private Seams() {
    }

    /**
     * The seams of {@code c}, left to right: for each, per row of the component, the first column
     * of the right-hand side (strictly right of the seam before it).
     */
    static List<int[]> of(InkComponents ink, InkComponents.Component c) {
        int w = c.width();
        int h = c.height();
        double[] cost = new double[h * w];
        for (int r = 0; r < h; r++) {
            for (int i = 0; i < w; i++) {
                cost[r * w + i] = ink.at(c.x0() + i, c.y0() + r) == c.index() ? 1 : 0;
            }
        }
        double[] down = new double[h * w];
        int[] downFrom = new int[h * w];
        double[] up = new double[h * w];
        int[] upFrom = new int[h * w];
        sweep(cost, w, h, down, downFrom, false);
        sweep(cost, w, h, up, upFrom, true);
        int mid = h / 2;
        double[] through = new double[w];
        for (int i = 0; i < w; i++) {
            through[i] = down[mid * w + i] + up[mid * w + i] - cost[mid * w + i];
        }
        int margin = Math.max(2, (int) Math.round(MIN_SLICE * h));
        List<Integer> minima = new ArrayList<>();
        for (int i = margin; i <= w - margin; i++) {
            double right = i + 1 < w ? through[i + 1] : Double.MAX_VALUE;
            if (through[i] <= through[i - 1] && through[i] <= right && through[i] <= MAX_INK * h) {
                minima.add(i);
            }
        }
        minima.sort(Comparator.comparingDouble((Integer i) -> through[i]).thenComparingInt(i -> i));
        List<Integer> chosen = new ArrayList<>();
        for (int m : minima) {
            if (chosen.stream().allMatch(other -> Math.abs(other - m) >= margin)) {
                chosen.add(m);
            }
        }
        chosen.sort(null);
        List<int[]> seams = new ArrayList<>(chosen.size());
        int[] previous = null;
        for (int start : chosen) {
            int[] seam = new int[h];
            seam[mid] = start;
            for (int r = mid; r > 0; r--) {
                seam[r - 1] = downFrom[r * w + seam[r]];
            }
            for (int r = mid; r < h - 1; r++) {
                seam[r + 1] = upFrom[r * w + seam[r]];
            }
            for (int r = 0; r < h; r++) {
                // A seam runs strictly right of the one before it: where they meet, this one yields.
                int x = c.x0() + seam[r];
                seam[r] = Math.min(c.x1(), previous == null ? Math.max(x, c.x0() + 1) : Math.max(x, previous[r] + 1));
            }
            seams.add(seam);
            previous = seam;
        }
        return seams;
    }

    /**
     * The least cost of a path from the top row (or, {@code upwards}, the bottom row) to each
     * pixel, and the column in the row before that it comes from.
     */
    private static void sweep(double[] cost, int w, int h, double[] total, int[] from, boolean upwards) {
        for (int step = 0; step < h; step++) {
            int r = upwards ? h - 1 - step : step;
            int before = upwards ? r + 1 : r - 1;
            for (int i = 0; i < w; i++) {
                if (step == 0) {
                    total[r * w + i] = cost[r * w + i];
                    from[r * w + i] = i;
                    continue;
                }
                double best = Double.POSITIVE_INFINITY;
                int via = i;
                for (int d = -1; d <= 1; d++) {
                    int j = i + d;
                    if (j >= 0 && j < w) {
                        double t = total[before * w + j] + (d == 0 ? 0 : STEP_COST);
                        if (t < best) {
                            best = t;
                            via = j;
                        }
                    }
                }
                total[r * w + i] = best + cost[r * w + i];
                from[r * w + i] = via;
            }
        }
    }
}
