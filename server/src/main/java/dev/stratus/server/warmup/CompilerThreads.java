package dev.stratus.server.warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How busy the JIT compiler is: the CPU time of this JVM's compiler threads, from
 * {@code /proc/self/task} on Linux. {@code CompilationMXBean}'s total only grows when a
 * compilation finishes, so a long one looks like a quiet compiler until it is done; elsewhere
 * that total is the fallback. Once the warm-up is over, they can be made to yield to requests.
 */
final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** USER_HZ: the unit of the times in {@code /proc/.../stat}; 100 on every Linux this runs on. */
    private static final long MILLIS_PER_TICK = 10;
    private static final Duration RENICE_WAIT = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(CompilerThreads.class);

    private CompilerThreads() {
    }

    /** Milliseconds of CPU the compiler threads have used so far (or, off Linux, spent compiling). */
    static long cpuMillis() {
        try {
            long ticks = 0;
            for (Path task : compilerTasks()) {
                ticks += ticks(task);
            }
            return ticks * MILLIS_PER_TICK;
        } catch (IOException e) {
            return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        }
    }

    /**
     * Lowers the compiler threads to the lowest scheduling priority (nice 19, which needs no
     * privilege), so that what the JIT still compiles once the server is ready runs on CPU the
     * requests leave idle instead of beside them. Linux only, through {@code renice}, bounded by
     * {@link #RENICE_WAIT}; says how many threads it lowered (0 where it could not).
     */
    static int yieldToRequests() {
        List<String> command = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
        try {
            compilerTasks().forEach(task -> command.add(task.getFileName().toString()));
        } catch (IOException e) {
            LOG.debug("cannot list this JVM's threads: {}", e.getMessage());
        }
        int threads = command.size() - 4;
        if (threads == 0) {
            return 0;
        }
        try {
            Process renice = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(RENICE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                renice.destroyForcibly();
                return 0;
            }
            return renice.exitValue() == 0 ? threads : 0;
        } catch (IOException e) {
            LOG.debug("cannot lower the compiler threads' priority: {}", e.getMessage());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The {@code /proc/self/task} entries of the compiler threads; IOException off Linux. */
    private static List<Path> compilerTasks() throws IOException {
        if (!Files.isDirectory(TASKS)) {
            throw new IOException("no " + TASKS + " here");
        }
        try (Stream<Path> tasks = Files.list(TASKS)) {
            return tasks.filter(CompilerThreads::isCompiler).toList();
        }
    }

    private static boolean isCompiler(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).trim();
            return name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler");
        } catch (IOException e) {
            return false; // the thread ended between the listing and the read
        }
    }

    /** User and system CPU ticks of one thread; 0 for one that has ended. */
    private static long ticks(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            // Fields after the parenthesised name: state is the 3rd field, utime the 14th, stime the 15th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended between the listing and the read
        }
    }
}
