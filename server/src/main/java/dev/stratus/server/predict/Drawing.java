package dev.stratus.server.predict;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Strokes;

/**
 * What a client sent, ready to read: the image, decoded or (for strokes) rendered at an
 * MNIST-like pen width, and the strokes themselves when it sent strokes (null for an image).
 */
public record Drawing(GreyImage image, Strokes strokes) {
    public Drawing {
        if (image == null) {
            throw new IllegalArgumentException("a drawing has an image");
        }
    }

    public static Drawing of(GreyImage image) {
        return new Drawing(image, null);
    }
}
