package dev.stratus.core.segment;

/** A rectangle in the input image's pixels: left, top, width and height. */
public record Box(int x, int y, int width, int height) {

    public Box {
        if (x < 0 || y < 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a box needs x, y >= 0 and a positive size, got " + x + "," + y + " "
                    + width + "x" + height);
        }
    }

    /** The box from its inclusive corners. */
    static Box ofCorners(int x0, int y0, int x1, int y1) {
        return new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    public int right() {
        return x + width - 1;
    }

    public int bottom() {
        return y + height - 1;
    }
}
