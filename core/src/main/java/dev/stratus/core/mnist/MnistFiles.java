package dev.stratus.core.mnist;

import dev.stratus.core.progress.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four MNIST files: where they are, and fetching them when they are not there. Every file is
 * checked against the SHA-256 sum that LeCun's originals have, whether it was downloaded or found.
 */
public final class MnistFiles {
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** The well-known sums of the original files. */
    public static final Map<String, String> SHA256 = orderedSums();

    /** Public mirrors, tried in order; {@link MnistSource#MIRROR} puts another first. */
    public static final List<String> MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/");

    private final Path directory;

    public MnistFiles(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public LabeledImages train() throws IOException {
        return Idx.read(directory.resolve(TRAIN_IMAGES), directory.resolve(TRAIN_LABELS));
    }

    public LabeledImages test() throws IOException {
        return Idx.read(directory.resolve(TEST_IMAGES), directory.resolve(TEST_LABELS));
    }

    /** Checks every file's sum; downloads those that are missing. Fails on a mismatch. */
    public MnistFiles ensurePresent(List<String> mirrors, PrintStream progress) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, String> file : SHA256.entrySet()) {
            Path target = directory.resolve(file.getKey());
            if (!Files.exists(target)) {
                download(file.getKey(), target, mirrors, progress);
            }
            verify(target, file.getValue());
        }
        return this;
    }

    static void verify(Path file, String expected) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(file + ": SHA-256 is " + actual + " but the MNIST original's is " + expected
                    + "; the file is damaged or not MNIST. Delete it to download it again.");
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void download(String name, Path target, List<String> mirrors, PrintStream progress)
            throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        IOException last = null;
        for (String mirror : mirrors) {
            URI uri = URI.create(mirror + name);
            Path partial = target.resolveSibling(name + ".part");
            try {
                HttpResponse<InputStream> response = client.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw new IOException(uri + " answered HTTP " + response.statusCode());
                }
                long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(partial)) {
                    copyWithProgress(in, out, size, "downloading " + name, progress);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (IOException e) {
                Files.deleteIfExists(partial);
                progress.println("  " + uri + " failed: " + e.getMessage());
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Files.deleteIfExists(partial);
                throw new IOException("interrupted while downloading " + uri, e);
            }
        }
        throw new IOException("could not download " + name + " from any mirror " + mirrors, last);
    }

    private static void copyWithProgress(InputStream in, OutputStream out, long size, String label,
                                         PrintStream progress) throws IOException {
        ProgressBar bar = new ProgressBar(label, size, progress);
        byte[] buffer = new byte[1 << 16];
        long done = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            done += n;
            bar.update(done, String.format("%.1f MB", done / 1e6));
        }
        bar.finish(String.format("%.1f MB", done / 1e6));
    }

    private static Map<String, String> orderedSums() {
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put(TRAIN_IMAGES, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609");
        sums.put(TRAIN_LABELS, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c");
        sums.put(TEST_IMAGES, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6");
        sums.put(TEST_LABELS, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6");
        return java.util.Collections.unmodifiableMap(sums);
    }
}
