package dev.stratus.server;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.mnist.NumberComposer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/** Numbers composed from real MNIST test digits ({@link Digits}), in the shapes the numbers API accepts. */
public final class Numbers {

    private Numbers() {
    }

    /** {@code count} numbers of {@code minLength..maxLength} digits, the same for the same seed. */
    public static List<NumberComposer.Composed> composed(int count, int minLength, int maxLength,
                                                         NumberComposer.Spacing spacing, long seed) {
        NumberComposer composer = new NumberComposer(Digits.mnist(),
                new NumberComposer.Settings(minLength, maxLength, spacing), seed);
        List<NumberComposer.Composed> numbers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            numbers.add(composer.next());
        }
        return numbers;
    }

    /** The image as an 8-bit grey PNG. */
    public static byte[] png(GreyImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                out.getRaster().setSample(x, y, 0, Math.round(image.at(x, y) * 255));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {"image": "data:image/png;base64,..."} of the image. */
    public static String json(GreyImage image) {
        return "{\"image\":\"" + Digits.dataUrl(png(image)) + "\"}";
    }

    /** A white image of {@code width x height} with a black dot every 25 px: ink, but no stroke a digit could be. */
    public static GreyImage specks(int width, int height) {
        float[] pixels = new float[width * height];
        Arrays.fill(pixels, 1f);
        for (int y = 10; y < height - 10; y += 25) {
            for (int x = 10; x < width - 10; x += 25) {
                pixels[y * width + x] = 0f;
            }
        }
        return new GreyImage(width, height, pixels);
    }

    /** A white image: no ink at all. */
    public static GreyImage blank(int width, int height) {
        float[] pixels = new float[width * height];
        Arrays.fill(pixels, 1f);
        return new GreyImage(width, height, pixels);
    }
}
