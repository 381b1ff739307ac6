package dev.stratus.cluster;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Processes that an earlier {@code up --distributed} on the same work directory left running
 * (its supervisor was killed in a way that no shutdown hook saw, and a child outlived it): the
 * java, node and nginx processes whose command line names the work directory. Every child the
 * stack starts names it (data directories, configuration files, the copied server jar).
 */
public final class Leftovers {
    private static final Set<String> PROGRAMS = Set.of("java", "node", "nginx");

    private Leftovers() {
    }

    /** The leftovers of {@code workDir} (never this JVM; a supervisor asks before it starts any child). */
    public static List<ProcessHandle> find(Path workDir) {
        String dir = workDir.toAbsolutePath().normalize() + "/";
        ProcessHandle self = ProcessHandle.current();
        return ProcessHandle.allProcesses()
                .filter(process -> process.pid() != self.pid())
                .filter(process -> process.info().command()
                        .map(command -> PROGRAMS.contains(Path.of(command).getFileName().toString())).orElse(false))
                .filter(process -> process.info().arguments()
                        .map(args -> Arrays.stream(args).anyMatch(arg -> arg.contains(dir) || (arg + "/").equals(dir)))
                        .orElse(false))
                .toList();
    }

    /** One line per process: pid and command line, for the message that names them. */
    static String describe(List<ProcessHandle> processes) {
        StringBuilder text = new StringBuilder();
        for (ProcessHandle process : processes) {
            String line = process.info().commandLine().orElse("?");
            text.append(String.format("  %8d  %s%n", process.pid(), line.length() > 160 ? line.substring(0, 160) + " ..." : line));
        }
        return text.toString();
    }
}
