package dev.stratus.server.bench;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Real MNIST test digits for the benchmarks, from $STRATUS_DATA (scripts/jmh.sh sets it). */
final class BenchDigits {
    private BenchDigits() {
    }

    static LabeledImages load() {
        Path dir = MnistFiles.resolveDirectory(null, System.getenv());
        Path images = dir.resolve(MnistFiles.TEST_IMAGES);
        if (!Files.isRegularFile(images)) {
            throw new IllegalStateException("no MNIST test images in " + dir + "; set STRATUS_DATA");
        }
        try {
            return Idx.read(images, dir.resolve(MnistFiles.TEST_LABELS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] pixels(LabeledImages set, int index) {
        return Arrays.copyOfRange(set.pixels(), index * Mnist.PIXELS, (index + 1) * Mnist.PIXELS);
    }
}
