package dev.stratus.server.warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How busy the JIT compiler is: the CPU time of this JVM's compiler threads, from
 * {@code /proc/self/task} on Linux. {@code CompilationMXBean}'s total only grows when a
 * compilation finishes, so a long one looks like a quiet compiler until it is done; elsewhere
 * that total is the fallback.
 */
final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** USER_HZ: the unit of the times in {@code /proc/.../stat}; 100 on every Linux this runs on. */
    private static final long MILLIS_PER_TICK = 10;

    private CompilerThreads() {
    }

    /** Milliseconds of CPU the compiler threads have used so far (or, off Linux, spent compiling). */
    static long cpuMillis() {
        if (!Files.isDirectory(TASKS)) {
            return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        }
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                ticks += compilerTicks(task);
            }
        } catch (IOException e) {
            return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        }
        return ticks * MILLIS_PER_TICK;
    }

    private static long compilerTicks(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).trim();
            if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
                return 0;
            }
            String stat = Files.readString(task.resolve("stat"));
            // Fields after the parenthesised name: state is the 3rd field, utime the 14th, stime the 15th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended between the listing and the read
        }
    }
}
