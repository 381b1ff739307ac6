package dev.stratus.training.spark;

import dev.stratus.core.image.GreyImage;
import java.io.Serializable;

/**
 * One partition's part of the training set: raw MNIST images (28x28 unsigned bytes, so that
 * augmentation sees what training on one machine sees) and their labels. Spark caches it on
 * the executor that trains on it; it travels once, not every round.
 */
public record Shard(int index, int side, byte[] pixels, byte[] labels) implements Serializable {

    public Shard {
        if (pixels.length != labels.length * side * side) {
            throw new IllegalArgumentException("shard " + index + ": " + pixels.length + " pixel bytes for "
                    + labels.length + " images of " + side + "x" + side);
        }
    }

    public int count() {
        return labels.length;
    }

    public GreyImage image(int i) {
        return GreyImage.fromUnsignedBytes(side, side, pixels, i * side * side);
    }

    public int label(int i) {
        return labels[i];
    }
}
