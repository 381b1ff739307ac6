package dev.stratus.chaos;

import dev.stratus.cluster.Processes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code stratus} command the soak runs (the launcher script, as a user types it), in its own
 * process group, its output appended to a log; it gets SIGTERM if the soak itself dies.
 */
final class Launched {
    private static final Duration STOP_GRACE = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;

    private Launched(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Launched start(Path launcher, List<String> arguments, Path directory, Path log) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toAbsolutePath().normalize().toString());
        command.addAll(arguments);
        return new Launched(Processes.start(command, directory, log), log);
    }

    /** Waits until {@code text} appears in the log after byte {@code from}. */
    Launched awaitLine(String what, long from, String text, Duration timeout) {
        Processes.awaitLogLine(what, process, log, from, text, timeout);
        return this;
    }

    Launched awaitHttpOk(String what, URI uri, Duration timeout) {
        Processes.awaitHttpOk(what, process, log, uri, timeout);
        return this;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGKILL to the command and everything in its process group, at once. */
    void kill() {
        Processes.killGroup(process.pid());
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, as Ctrl-C or an orchestrator stops it; whether it ended on its own within the grace. */
    boolean stop() {
        return Processes.stop(process, STOP_GRACE);
    }
}
