package dev.stratus.containers;

import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Real MNIST test digits (the first 1,000), as the prediction API's {"pixels": [...]} body. */
final class Mnist {
    private static LabeledImages digits;

    private Mnist() {
    }

    private static synchronized LabeledImages digits() {
        if (digits == null) {
            Path dir = Path.of(System.getProperty("stratus.test.data"));
            try {
                digits = Idx.read(dir.resolve(MnistFiles.TEST_IMAGES), dir.resolve(MnistFiles.TEST_LABELS)).head(1000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return digits;
    }

    static int label(int index) {
        return digits().label(index % 1000);
    }

    static String body(int index) {
        byte[] pixels = digits().pixels();
        int offset = (index % 1000) * 784;
        return IntStream.range(0, 784).mapToObj(i -> Integer.toString(pixels[offset + i] & 0xff))
                .collect(Collectors.joining(",", "{\"pixels\":[", "]}"));
    }
}
