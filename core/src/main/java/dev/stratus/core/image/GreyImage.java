package dev.stratus.core.image;

import java.util.Arrays;

/**
 * A grey image of any size, intensities in [0, 1], row-major. Polarity is not fixed here:
 * {@link Preprocessor} decides which of dark and bright is ink.
 */
public record GreyImage(int width, int height, float[] pixels) {

    public GreyImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels == null || pixels.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + width * height
                    + " pixels, got " + (pixels == null ? "none" : pixels.length));
        }
        for (int i = 0; i < pixels.length; i++) {
            float v = pixels[i];
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("pixel " + i + " is " + v + ", expected a value in [0, 1]");
            }
        }
    }

    /** An image from unsigned bytes 0-255, as stored in IDX files. */
    public static GreyImage fromUnsignedBytes(int width, int height, byte[] bytes, int offset) {
        float[] pixels = new float[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (bytes[offset + i] & 0xff) / 255f;
        }
        return new GreyImage(width, height, pixels);
    }

    /** An image from numbers 0-255 (what the original page sent); rejects NaN and out-of-range values. */
    public static GreyImage fromIntensities(int width, int height, double[] values) {
        if (values.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " values (" + width + "x" + height
                    + "), got " + values.length);
        }
        float[] pixels = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= 0 && v <= 255)) {
                throw new IllegalArgumentException("value " + i + " is " + v + ", expected a number from 0 to 255");
            }
            pixels[i] = (float) (v / 255);
        }
        return new GreyImage(width, height, pixels);
    }

    public float at(int x, int y) {
        return pixels[y * width + x];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GreyImage g && g.width == width && g.height == height && Arrays.equals(g.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "GreyImage[" + width + "x" + height + "]";
    }
}
