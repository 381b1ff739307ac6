package dev.stratus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ONNX Runtime unpacks its native library into {@code java.io.tmpdir} when it first loads. In a
 * container with a read-only root filesystem that directory must be a volume; without one the
 * library fails deep inside a static initialiser. This check says so at start-up, naming the path.
 */
final class TempDirectory {
    private TempDirectory() {
    }

    static void requireWritable() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Files.delete(Files.createTempFile(dir, "stratus-check", ".tmp"));
        } catch (IOException e) {
            throw new IOException("the temporary directory " + dir + " is not writable (" + e.getMessage()
                    + "); ONNX Runtime unpacks its native library there: mount a writable volume at " + dir
                    + " or set -Djava.io.tmpdir", e);
        }
    }
}
