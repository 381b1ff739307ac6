package dev.stratus.core.mnist;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;

/**
 * Images and their labels, as read from an IDX pair: {@code count} images of
 * {@code rows x cols} unsigned bytes, row-major, and one label 0-9 each.
 */
public record LabeledImages(int rows, int cols, byte[] pixels, byte[] labels) {

    public LabeledImages {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels need " + (long) labels.length * rows * cols
                    + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= Mnist.CLASSES) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected 0-9");
            }
        }
    }

    public int count() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    public GreyImage image(int index) {
        return GreyImage.fromUnsignedBytes(cols, rows, pixels, index * rows * cols);
    }

    /** These images followed by {@code more}, which must have the same size. */
    public LabeledImages concat(LabeledImages more) {
        if (more.rows != rows || more.cols != cols) {
            throw new IllegalArgumentException("cannot add " + more.rows + "x" + more.cols + " images to " + rows + "x"
                    + cols + " ones");
        }
        byte[] p = java.util.Arrays.copyOf(pixels, pixels.length + more.pixels.length);
        System.arraycopy(more.pixels, 0, p, pixels.length, more.pixels.length);
        byte[] l = java.util.Arrays.copyOf(labels, labels.length + more.labels.length);
        System.arraycopy(more.labels, 0, l, labels.length, more.labels.length);
        return new LabeledImages(rows, cols, p, l);
    }

    /** The first {@code n} images (or all, when there are fewer). */
    public LabeledImages head(int n) {
        int k = Math.min(n, count());
        byte[] p = java.util.Arrays.copyOf(pixels, k * rows * cols);
        byte[] l = java.util.Arrays.copyOf(labels, k);
        return new LabeledImages(rows, cols, p, l);
    }
}
