package dev.stratus.core.jvm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How busy the JIT compiler is: the CPU time of this JVM's compiler threads, from
 * {@code /proc/self/task} on Linux. {@code CompilationMXBean}'s total only grows when a
 * compilation finishes, so a long one looks like a quiet compiler until it is done; elsewhere
 * that total is the fallback. They can be made to yield: the server's once its warm-up is over,
 * a load client's so that its own JIT does not take the CPU of the server it measures.
 */
public final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** USER_HZ: the unit of the times in {@code /proc/.../stat}; 100 on every Linux this runs on. */
    private static final long MILLIS_PER_TICK = 10;
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(CompilerThreads.class);

    private CompilerThreads() {
    }

    /** Milliseconds of CPU the compiler threads have used so far (or, off Linux, spent compiling). */
    public static long cpuMillis() {
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
     * Makes the compiler threads yield to requests, so that what the JIT still compiles (in a server
     * once it is ready) runs on CPU the requests leave idle instead of beside them: the idle
     * scheduling class ({@code chrt --idle}: a thread there never delays a normal one that wakes),
     * else the lowest priority ({@code renice -n 19}, which still takes its share of a busy core).
     * Neither needs a privilege. Linux only, each command bounded by {@link #COMMAND_WAIT}; says
     * what it did, or nothing where it could not.
     */
    public static Optional<String> yieldToRequests() {
        List<String> tids = new ArrayList<>();
        try {
            compilerTasks().forEach(task -> tids.add(task.getFileName().toString()));
        } catch (IOException e) {
            LOG.debug("cannot list this JVM's threads: {}", e.getMessage());
        }
        if (tids.isEmpty()) {
            return Optional.empty();
        }
        if (tids.stream().allMatch(tid -> succeeds(List.of("chrt", "--idle", "--pid", "0", tid)))) {
            return Optional.of(tids.size() + " compiler threads in the idle scheduling class");
        }
        List<String> renice = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
        renice.addAll(tids);
        return succeeds(renice) ? Optional.of(tids.size() + " compiler threads at nice 19") : Optional.empty();
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            LOG.debug("cannot run {}: {}", command.get(0), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
