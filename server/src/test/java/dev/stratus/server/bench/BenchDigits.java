package dev.stratus.server.bench;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.mnist.MnistSource;
import dev.stratus.server.store.PredictionRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/** Real MNIST test digits for the benchmarks, from $STRATUS_DATA (scripts/jmh.sh sets it). */
final class BenchDigits {
    private BenchDigits() {
    }

    static LabeledImages load() {
        Path dir = MnistSource.from(System.getenv()).directory();
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

    /** The pixels as a JSON array of numbers 0-255, as clients send them. */
    static String jsonArray(byte[] pixels) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < pixels.length; i++) {
            array.append(i > 0 ? "," : "").append(pixels[i] & 0xff);
        }
        return array.append(']').toString();
    }

    /** A record as the server stores it for a digit classified as {@code label} with 99 % confidence. */
    static PredictionRecord record(String id, String modelVersion, int label, byte[] input) {
        float[] probabilities = new float[10];
        probabilities[label] = 0.99f;
        probabilities[(label + 1) % 10] = 0.01f;
        return new PredictionRecord(id, Instant.now(), modelVersion, label, probabilities, input, null, null);
    }
}
