package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.cluster.DistributedStack.Member;
import dev.stratus.cluster.DistributedStack.Settings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void table_lists_role_pid_port_and_log_with_a_dash_for_no_port() {
        String table = UpDistributed.table(List.of(new Member("kafka-0", 101, 9092, Path.of("/w/kafka.log")),
                new Member("worker-1", 102, 0, Path.of("/w/worker-1.log"))));

        assertThat(table.lines()).containsExactly(
                "ROLE            PID   PORT  LOG",
                "kafka-0         101   9092  /w/kafka.log",
                "worker-1        102      -  /w/worker-1.log");
    }
}
