package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code train --spark spark://...} with no master there: a clear error at once, not a wait on Spark. */
class SparkMasterDownTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // only so that a regression fails instead of hanging the build
    void a_master_that_is_down_fails_before_any_data_is_read_naming_the_master() throws IOException {
        String master = "spark://127.0.0.1:" + freePort();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        CommandLine line = TrainCommand.commandLine(Map.of());
        line.setErr(new PrintWriter(err, true));

        int code;
        PrintStream original = System.out;
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            code = line.execute("--spark", master, "--workers", "2", "--epochs", "1", "--limit", "1000",
                    "--data", System.getProperty("stratus.test.data"), "--out", dir.resolve("model").toString());
        } finally {
            System.setOut(original);
        }

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("train: the Spark master " + master + " is not reachable")
                .contains("Connection refused").contains("stratus spark-cluster up");
        assertThat(console.toString(StandardCharsets.UTF_8)).as("nothing read or trained first")
                .doesNotContain("Loading MNIST").doesNotContain("Spark spark://");
        assertThat(dir.resolve("model")).doesNotExist();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
