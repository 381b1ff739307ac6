package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the local Spark cluster that need no Spark jars (the training module's tests start a real one). */
class LocalSparkClusterTest {

    @Test
    void stopping_by_process_id_spares_a_process_that_is_not_spark() throws Exception {
        // A recorded id that the operating system has since given to another program.
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            assertThat(LocalSparkCluster.stop(List.of(other.pid(), ProcessHandle.current().pid()))).isZero();
            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void settings_name_what_is_missing(@TempDir Path dir) {
        assertThatThrownBy(() -> new LocalSparkCluster.Settings(dir.resolve("absent"), 2, "1g", 0, dir))
                .hasMessageContaining("no directory of Spark jars at").hasMessageContaining("absent");
        assertThatThrownBy(() -> new LocalSparkCluster.Settings(dir, 0, "1g", 0, dir))
                .hasMessageContaining("at least one worker");
    }
}
