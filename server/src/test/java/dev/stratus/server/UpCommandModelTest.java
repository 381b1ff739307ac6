package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stratus up --model BAD} through picocli: each bad model directory ends the command with
 * a message naming the path and the problem, and nothing is left listening or running.
 */
class UpCommandModelTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String err, int port, java.util.Set<Thread> serving) {
    }

    /** Live threads of a server or an embedded pipeline. */
    private static java.util.Set<Thread> servingThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive()
                && (t.getName().startsWith("inference-") || t.getName().startsWith("JettyServerThreadPool")
                || t.getName().startsWith("qtp"))).collect(java.util.stream.Collectors.toSet());
    }

    private Outcome up(Path model) throws IOException {
        java.util.Set<Thread> before = servingThreads();
        int port = freePort();
        StringWriter err = new StringWriter();
        CommandLine line = ServerCli.commandLine(java.util.Map.of());
        line.setErr(new PrintWriter(err, true));
        int code = line.execute("up", "--model", model.toString(), "--port", Integer.toString(port),
                "--management-port", "0", "--data-dir", dir.resolve("data").toString());
        java.util.Set<Thread> started = servingThreads();
        started.removeAll(before);
        return new Outcome(code, err.toString(), port, started);
    }

    private static void assertNothingLeftRunning(Outcome outcome) {
        // The port is free again and no server or pipeline thread lives on.
        try (ServerSocket socket = new ServerSocket(outcome.port(), 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(outcome.port());
        } catch (IOException e) {
            throw new AssertionError("port " + outcome.port() + " is still taken after a failed start", e);
        }
        assertThat(outcome.serving()).as("server or pipeline threads started and left running").isEmpty();
    }

    @Test
    void a_missing_model_directory_is_named() throws IOException {
        Path absent = dir.resolve("no-such-model");

        Outcome outcome = up(absent);

        assertThat(outcome.code()).isNotZero();
        assertThat(outcome.err()).contains("up: " + absent).contains("no such model directory");
        assertNothingLeftRunning(outcome);
    }

    @Test
    void an_empty_model_directory_names_the_missing_file() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        Outcome outcome = up(empty);

        assertThat(outcome.code()).isNotZero();
        assertThat(outcome.err()).contains(empty.resolve(ModelContract.MODEL_FILE) + ": missing");
        assertNothingLeftRunning(outcome);
    }

    @Test
    void a_corrupt_network_is_named_with_the_reason() throws IOException {
        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        for (String name : new String[] {ModelContract.MODEL_FILE, ModelContract.CARD_FILE}) {
            try (InputStream in = Model.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + name)) {
                Files.copy(in, corrupt.resolve(name));
            }
        }
        Path onnx = corrupt.resolve(ModelContract.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(onnx);
        Files.write(onnx, java.util.Arrays.copyOf(bytes, bytes.length / 3));

        Outcome outcome = up(corrupt);

        assertThat(outcome.code()).isNotZero();
        assertThat(outcome.err()).contains("up: " + onnx + ": not a usable ONNX model");
        assertNothingLeftRunning(outcome);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
