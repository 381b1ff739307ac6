package dev.stratus.core.mnist;

import dev.stratus.core.image.GreyImage;
import java.util.ArrayList;
import java.util.List;

/**
 * MNIST digits as a person would draw them: the ink (grey >= 128) thinned to a one-pixel
 * skeleton (Zhang-Suen) and traced into polylines, from each end point (and then around what is
 * left: loops) until the line ends or meets a junction. Coordinates are pixel centres of the
 * 28x28 image.
 */
public final class Skeletons {
    private static final int SIDE = 28;

    private Skeletons() {
    }

    /** The polylines of {@code pixels} (28x28 bytes from {@code offset}), each {@code x0, y0, x1, y1, ...}. */
    public static List<float[]> of(byte[] pixels, int offset) {
        boolean[] ink = new boolean[SIDE * SIDE];
        for (int i = 0; i < ink.length; i++) {
            ink[i] = (pixels[offset + i] & 0xff) >= 128;
        }
        return of(ink);
    }

    /** The polylines of a 28x28 grey image (bright ink, grey >= 0.5), as {@link #of(byte[], int)}. */
    public static List<float[]> of(GreyImage image) {
        if (image.width() != SIDE || image.height() != SIDE) {
            throw new IllegalArgumentException("a skeleton is traced from a 28x28 image, got "
                    + image.width() + "x" + image.height());
        }
        float[] pixels = image.pixels();
        boolean[] ink = new boolean[SIDE * SIDE];
        for (int i = 0; i < ink.length; i++) {
            ink[i] = pixels[i] >= 0.5f;
        }
        return of(ink);
    }

    private static List<float[]> of(boolean[] ink) {
        thin(ink, SIDE);
        return trace(ink, SIDE);
    }

    private static void thin(boolean[] p, int w) {
        boolean changed = true;
        List<Integer> remove = new ArrayList<>();
        while (changed) {
            changed = false;
            for (int pass = 0; pass < 2; pass++) {
                remove.clear();
                for (int y = 1; y < w - 1; y++) {
                    for (int x = 1; x < w - 1; x++) {
                        if (!p[y * w + x]) {
                            continue;
                        }
                        boolean[] n = neighbours(p, w, x, y);
                        int b = 0;
                        int a = 0;
                        for (int k = 0; k < 8; k++) {
                            b += n[k] ? 1 : 0;
                            a += !n[k] && n[(k + 1) % 8] ? 1 : 0;
                        }
                        boolean first = pass == 0
                                ? !(n[0] && n[2] && n[4]) && !(n[2] && n[4] && n[6])
                                : !(n[0] && n[2] && n[6]) && !(n[0] && n[4] && n[6]);
                        if (b >= 2 && b <= 6 && a == 1 && first) {
                            remove.add(y * w + x);
                        }
                    }
                }
                for (int i : remove) {
                    p[i] = false;
                }
                changed |= !remove.isEmpty();
            }
        }
    }

    /** N, NE, E, SE, S, SW, W, NW. */
    private static final int[] DX = {0, 1, 1, 1, 0, -1, -1, -1};
    private static final int[] DY = {-1, -1, 0, 1, 1, 1, 0, -1};

    private static boolean[] neighbours(boolean[] p, int w, int x, int y) {
        boolean[] n = new boolean[8];
        for (int k = 0; k < 8; k++) {
            int nx = x + DX[k];
            int ny = y + DY[k];
            n[k] = nx >= 0 && ny >= 0 && nx < w && ny < w && p[ny * w + nx];
        }
        return n;
    }

    private static int degree(boolean[] p, int w, int i) {
        int d = 0;
        for (boolean b : neighbours(p, w, i % w, i / w)) {
            d += b ? 1 : 0;
        }
        return d;
    }

    private static List<float[]> trace(boolean[] p, int w) {
        boolean[] used = new boolean[p.length];
        List<float[]> lines = new ArrayList<>();
        // End points first, then whatever is left (closed loops).
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < p.length; i++) {
                if (p[i] && !used[i] && (round == 1 || degree(p, w, i) == 1)) {
                    lines.add(follow(p, used, w, i));
                }
            }
        }
        return lines;
    }

    private static float[] follow(boolean[] p, boolean[] used, int w, int start) {
        List<Integer> path = new ArrayList<>();
        int at = start;
        while (at >= 0) {
            path.add(at);
            used[at] = true;
            int next = -1;
            // Prefer 4-neighbours, so a line does not skip a corner pixel and leave it as a stroke of its own.
            for (int k : new int[] {0, 2, 4, 6, 1, 3, 5, 7}) {
                int nx = at % w + DX[k];
                int ny = at / w + DY[k];
                int q = ny * w + nx;
                if (nx >= 0 && ny >= 0 && nx < w && ny < w && p[q] && !used[q]) {
                    next = q;
                    break;
                }
            }
            at = next;
        }
        if (path.size() > 2 && start != path.get(path.size() - 1)) {
            // A loop: close it if its end touches its start.
            int end = path.get(path.size() - 1);
            if (Math.abs(end % w - start % w) <= 1 && Math.abs(end / w - start / w) <= 1) {
                path.add(start);
            }
        }
        float[] xy = new float[2 * path.size()];
        for (int k = 0; k < path.size(); k++) {
            xy[2 * k] = path.get(k) % w + 0.5f;
            xy[2 * k + 1] = path.get(k) / w + 0.5f;
        }
        return xy;
    }
}
