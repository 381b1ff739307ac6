package dev.stratus.core.image;

import java.util.Arrays;

/**
 * What the network sees: 28x28 intensities in [0, 1], row-major, ink bright on a dark
 * background, cropped, scaled and centred like MNIST. Only {@link Preprocessor} makes these from
 * raw images.
 */
public record DigitImage(float[] pixels) {

    public DigitImage {
        if (pixels == null || pixels.length != Mnist.PIXELS) {
            throw new IllegalArgumentException("a digit image has " + Mnist.PIXELS + " pixels (28x28), got "
                    + (pixels == null ? "none" : pixels.length));
        }
        for (int i = 0; i < pixels.length; i++) {
            if (!(pixels[i] >= 0f && pixels[i] <= 1f)) {
                throw new IllegalArgumentException("pixel " + i + " is " + pixels[i] + ", expected a value in [0, 1]");
            }
        }
    }

    /** The pixels as bytes 0-255, the IDX and PNG representation. */
    public byte[] toUnsignedBytes() {
        byte[] bytes = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            bytes[i] = (byte) Math.round(pixels[i] * 255f);
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DigitImage d && Arrays.equals(d.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "DigitImage[28x28]";
    }
}
