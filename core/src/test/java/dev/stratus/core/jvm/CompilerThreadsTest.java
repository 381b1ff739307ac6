package dev.stratus.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CompilerThreadsTest {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** {@code SCHED_IDLE} in {@code sched.h}. */
    private static final int SCHED_IDLE = 5;

    @Test
    void countsTheCompilersCpu() {
        assertThat(CompilerThreads.cpuMillis()).isNotNegative();
    }

    @Test
    void putsEveryCompilerThreadInTheIdleClassOrAtNice19() throws IOException {
        assumeTrue(Files.isDirectory(TASKS), "Linux only");

        assertThat(CompilerThreads.yieldToRequests()).hasValueSatisfying(done -> assertThat(done).contains("compiler threads"));

        List<String[]> compilers = compilerStats();
        assertThat(compilers).isNotEmpty();
        for (String[] stat : compilers) {
            int nice = Integer.parseInt(stat[16]);     // field 19 of stat, the 17th after the name
            int policy = Integer.parseInt(stat[38]);   // field 41
            assertThat(policy == SCHED_IDLE || nice == 19).as("policy %d, nice %d", policy, nice).isTrue();
        }
    }

    /** The fields after the name in {@code stat}, for each compiler thread of this JVM. */
    private static List<String[]> compilerStats() throws IOException {
        try (Stream<Path> tasks = Files.list(TASKS)) {
            return tasks.filter(task -> read(task.resolve("comm")).matches("C[12] Compiler.*"))
                    .map(task -> {
                        String stat = read(task.resolve("stat"));
                        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    })
                    .toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return ""; // the thread ended
        }
    }
}
