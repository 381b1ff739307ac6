package dev.stratus.core.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.stratus.core.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a real HTTP server on loopback that serves the real MNIST files. */
class MnistFilesTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean corrupt;

    @TempDir
    Path cache;

    @BeforeEach
    void startMirror() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/broken/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.createContext("/mnist/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/mnist/".length());
            Path file = TestData.mnistDirectory().resolve(name);
            if (!MnistFiles.SHA256.containsKey(name) || !Files.exists(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            if (corrupt && name.equals(MnistFiles.TEST_LABELS)) {
                body[body.length - 1] ^= 1;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopMirror() {
        server.stop(0);
    }

    private String base(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void downloads_missing_files_from_the_first_mirror_that_works_and_verifies_them() throws IOException {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        MnistFiles files = new MnistFiles(cache.resolve("mnist"));

        files.ensurePresent(List.of(base("/broken/"), base("/mnist/")), new PrintStream(progress, true));

        assertThat(requests).hasValue(4);
        for (Map.Entry<String, String> sum : MnistFiles.SHA256.entrySet()) {
            assertThat(MnistFiles.sha256(files.directory().resolve(sum.getKey()))).isEqualTo(sum.getValue());
        }
        assertThat(progress.toString()).contains("downloading train-images-idx3-ubyte.gz").contains("100%")
                .contains("503");
        assertThat(files.test().count()).isEqualTo(10_000);

        files.ensurePresent(List.of(base("/mnist/")), new PrintStream(progress, true));
        assertThat(requests).as("files already present are not fetched again").hasValue(4);
    }

    @Test
    void a_checksum_mismatch_fails_clearly() {
        corrupt = true;
        MnistFiles files = new MnistFiles(cache);

        assertThatThrownBy(() -> files.ensurePresent(List.of(base("/mnist/")), new PrintStream(OutputStream.nullOutputStream())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(MnistFiles.TEST_LABELS)
                .hasMessageContaining("SHA-256 is")
                .hasMessageContaining(MnistFiles.SHA256.get(MnistFiles.TEST_LABELS));
    }

    @Test
    void no_working_mirror_fails_clearly() {
        MnistFiles files = new MnistFiles(cache);

        assertThatThrownBy(() -> files.ensurePresent(List.of(base("/broken/")), new PrintStream(OutputStream.nullOutputStream())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not download train-images-idx3-ubyte.gz from any mirror");
        assertThat(cache.resolve(MnistFiles.TRAIN_IMAGES + ".part")).doesNotExist();
    }
}
