package dev.stratus.server;

import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.StringJoiner;
import javax.imageio.ImageIO;

/** Real MNIST test digits in the shapes the API accepts. */
public final class Digits {
    private static LabeledImages test;

    private Digits() {
    }

    public static synchronized LabeledImages mnist() {
        if (test == null) {
            Path dir = Path.of(System.getProperty("stratus.test.data"));
            try {
                test = Idx.read(dir.resolve(MnistFiles.TEST_IMAGES), dir.resolve(MnistFiles.TEST_LABELS)).head(2000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return test;
    }

    public static int label(int index) {
        return mnist().label(index);
    }

    /** {"pixels": [...]} for MNIST test image {@code index}. */
    public static String pixelsJson(int index) {
        StringJoiner joiner = new StringJoiner(",", "{\"pixels\":[", "]}");
        for (int i = 0; i < 784; i++) {
            joiner.add(Integer.toString(mnist().pixels()[index * 784 + i] & 0xff));
        }
        return joiner.toString();
    }

    /** The digit drawn large (each MNIST pixel a {@code scale}-sided square) at an offset on a black canvas, as PNG. */
    public static byte[] png(int index, int canvas, int scale, int offsetX, int offsetY) {
        BufferedImage image = new BufferedImage(canvas, canvas, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < canvas; y++) {
            for (int x = 0; x < canvas; x++) {
                int sx = (x - offsetX) / scale;
                int sy = (y - offsetY) / scale;
                int v = x >= offsetX && y >= offsetY && sx < 28 && sy < 28
                        ? mnist().pixels()[index * 784 + sy * 28 + sx] & 0xff : 0;
                image.setRGB(x, y, 0xff000000 | v << 16 | v << 8 | v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
