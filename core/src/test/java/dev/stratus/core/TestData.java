package dev.stratus.core;

import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real MNIST files that tests read: {@code ../shared/data/mnist}, never downloaded. */
public final class TestData {
    private static LabeledImages test;

    private TestData() {
    }

    public static Path mnistDirectory() {
        Path dir = Path.of(System.getProperty("stratus.test.data", "../../shared/data/mnist"));
        if (!Files.isRegularFile(dir.resolve(MnistFiles.TEST_IMAGES))) {
            throw new IllegalStateException("the MNIST test files are not at " + dir.toAbsolutePath()
                    + "; tests read them from ../shared/data/mnist next to the project");
        }
        return dir;
    }

    public static Path file(String name) {
        return mnistDirectory().resolve(name);
    }

    /** The 10,000 MNIST test images, read once per test JVM. */
    public static synchronized LabeledImages mnistTest() {
        if (test == null) {
            try {
                test = Idx.read(file(MnistFiles.TEST_IMAGES), file(MnistFiles.TEST_LABELS));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return test;
    }
}
