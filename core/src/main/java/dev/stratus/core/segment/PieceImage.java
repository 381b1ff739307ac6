package dev.stratus.core.segment;

import dev.stratus.core.image.GreyImage;
import java.util.List;

/**
 * The ink of a candidate piece (some consecutive atoms) on its own: the piece's pixels and the
 * faint anti-aliased rim around them, every other pixel black, with a black margin so that the
 * preprocessing reads the background from the border as it does for a drawn digit.
 *
 * @param image  the piece, bright ink on black, ready for the one {@code Preprocessor}
 * @param box    where the piece's ink lies in the input
 * @param member which pixels of the box are the piece's ink, row-major over the box
 */
record PieceImage(GreyImage image, Box box, boolean[] member) {

    /** Black pixels around the piece; the preprocessing takes the border's median as background. */
    static final int MARGIN = 2;

    /**
     * The piece made of {@code atoms}, cut from {@code ink} (the input as bright ink on black,
     * {@code width} wide) by the component labels of {@code components}.
     */
    static PieceImage of(List<Atoms.Atom> atoms, InkComponents components, float[] ink, int width, int height) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (Atoms.Atom a : atoms) {
            x0 = Math.min(x0, a.xFrom());
            x1 = Math.max(x1, a.xTo());
            y0 = Math.min(y0, a.y0());
            y1 = Math.max(y1, a.y1());
        }
        int bw = x1 - x0 + 1;
        int bh = y1 - y0 + 1;
        boolean[] member = new boolean[bw * bh];
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int c = components.at(x, y);
                if (c >= 0 && belongs(atoms, c, x, y)) {
                    member[(y - y0) * bw + (x - x0)] = true;
                }
            }
        }
        // The rim: one pixel around the box, so a stroke at the box's edge keeps its soft edge.
        int rx0 = Math.max(0, x0 - 1), ry0 = Math.max(0, y0 - 1);
        int rx1 = Math.min(width - 1, x1 + 1), ry1 = Math.min(height - 1, y1 + 1);
        int pw = rx1 - rx0 + 1 + 2 * MARGIN;
        int ph = ry1 - ry0 + 1 + 2 * MARGIN;
        float[] pixels = new float[pw * ph];
        for (int y = ry0; y <= ry1; y++) {
            for (int x = rx0; x <= rx1; x++) {
                boolean inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
                boolean take = inside && member[(y - y0) * bw + (x - x0)]
                        || components.at(x, y) < 0 && touchesMember(member, x0, y0, bw, bh, x, y);
                if (take) {
                    pixels[(y - ry0 + MARGIN) * pw + (x - rx0 + MARGIN)] = ink[y * width + x];
                }
            }
        }
        return new PieceImage(new GreyImage(pw, ph, pixels), Box.ofCorners(x0, y0, x1, y1), member);
    }

    private static boolean belongs(List<Atoms.Atom> atoms, int component, int x, int y) {
        for (Atoms.Atom a : atoms) {
            if (a.contains(component, x, y)) {
                return true;
            }
        }
        return false;
    }

    private static boolean touchesMember(boolean[] member, int x0, int y0, int bw, int bh, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int mx = x + dx - x0;
                int my = y + dy - y0;
                if (mx >= 0 && mx < bw && my >= 0 && my < bh && member[my * bw + mx]) {
                    return true;
                }
            }
        }
        return false;
    }
}
