package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.cluster.DistributedStack.Member;
import dev.stratus.cluster.DistributedStack.Settings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributedStackTest {
    private static final Path WORK = Path.of("/tmp/stratus-distributed");

    @Test
    void gateways_and_workers_need_the_server_classpath() {
        assertThatThrownBy(() -> new Settings(8080, 3, 2, 2, WORK, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stratus.server.classpath");
        assertThat(new Settings(8080, 3, 0, 0, WORK, null).brokers()).isEqualTo(3);
    }

    @Test
    void rejects_impossible_counts_and_ports() {
        assertThatThrownBy(() -> new Settings(8080, 0, 0, 0, WORK, null)).hasMessageContaining("--brokers");
        assertThatThrownBy(() -> new Settings(8080, 3, -1, 0, WORK, "cp")).hasMessageContaining("--gateways");
        assertThatThrownBy(() -> new Settings(70_000, 3, 0, 0, WORK, null)).hasMessageContaining("--port");
    }

    @Test
    void nginx_limits_each_client_by_default_and_a_negative_limit_is_refused_before_anything_starts() {
        assertThat(new Settings(8080, 3, 0, 0, WORK, null).rateLimit()).isEqualTo(LocalNginx.RateLimit.DEFAULT);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertThat(new picocli.CommandLine(new UpDistributed()).execute("--rate-limit=-1", "--work-dir",
                    WORK.toString())).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString()).contains("up --distributed: --rate-limit and --rate-burst must be >= 0");
    }

    @Test
    void table_lists_role_pid_port_and_log_with_a_dash_for_no_port() {
        String table = UpDistributed.table(List.of(new Member("kafka-0", 101, 9092, Path.of("/w/kafka.log")),
                new Member("worker-1", 102, 0, Path.of("/w/worker-1.log"))));

        assertThat(table.lines()).containsExactly(
                "ROLE            PID   PORT  LOG",
                "kafka-0         101   9092  /w/kafka.log",
                "worker-1        102      -  /w/worker-1.log");
    }

    @Test
    void gateways_and_workers_run_from_a_copy_of_the_servers_jar(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("stratus-server.jar"), "built once");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String classpath = String.join(File.pathSeparator, jar.toString(), dir.resolve("lib") + File.separator + "*",
                classes.toString());

        String snapshot = ServerClasspath.snapshot(classpath, dir.resolve("work/lib"));
        Files.writeString(jar, "rebuilt while the stack runs");

        String[] entries = snapshot.split(File.pathSeparator);
        assertThat(entries).hasSize(3);
        assertThat(Path.of(entries[0])).isEqualTo(dir.resolve("work/lib/stratus-server.jar")).hasContent("built once");
        assertThat(entries[1]).isEqualTo(dir.resolve("lib") + File.separator + "*");
        assertThat(entries[2]).isEqualTo(classes.toString());
    }
}
