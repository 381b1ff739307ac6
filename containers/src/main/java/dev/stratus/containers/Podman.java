package dev.stratus.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The podman command line, each call bounded in time. Output goes to a file rather than a pipe so
 * that a chatty command can never block on a full pipe buffer.
 */
public final class Podman {
    /** A finished command: its exit status and what it printed (stdout and stderr together). */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The output, or a failure naming the command, its status and the last lines it printed. */
        public String orThrow() {
            if (!ok()) {
                throw new ContainerFailure("`" + String.join(" ", command) + "` exited with " + exitCode
                        + ":\n" + tail(output, 25));
            }
            return output;
        }
    }

    private final String executable;

    public Podman(String executable) {
        this.executable = executable;
    }

    public static Podman onPath() {
        return new Podman("podman");
    }

    /** Runs {@code podman ARGS...} and waits at most {@code timeout} for it. */
    public Result run(Duration timeout, String... args) {
        return run(timeout, null, List.of(args));
    }

    /** Runs {@code podman ARGS...}, passing each output line to {@code progress} as it comes. */
    public Result run(Duration timeout, Consumer<String> progress, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(args);
        return exec(command, null, timeout, progress);
    }

    /** Runs any command (kubectl, the images script) with the same bounds and capture. */
    public static Result exec(List<String> command, Path workDir, Duration timeout, Consumer<String> progress) {
        Path log = null;
        try {
            log = Files.createTempFile("stratus-cmd", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process process = builder.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            long shown = 0;
            while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                shown = show(log, shown, progress);
                if (System.nanoTime() > deadline) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new ContainerFailure("`" + String.join(" ", command) + "` did not finish within "
                            + timeout.toSeconds() + " s:\n" + tail(Files.readString(log), 25));
                }
            }
            show(log, shown, progress);
            return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerFailure("interrupted while running " + String.join(" ", command));
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temporary file; the next start of the JVM's temp cleaner takes it
                }
            }
        }
    }

    private static long show(Path log, long shown, Consumer<String> progress) throws IOException {
        if (progress == null) {
            return shown;
        }
        String all = Files.readString(log, StandardCharsets.UTF_8);
        int end = all.lastIndexOf('\n') + 1;
        if (end > shown) {
            all.substring((int) shown, end).lines().forEach(progress);
            return end;
        }
        return shown;
    }

    /** The last {@code lines} lines of {@code text}. */
    public static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
