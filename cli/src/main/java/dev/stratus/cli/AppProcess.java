package dev.stratus.cli;

import dev.stratus.core.progress.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A Stratus server that {@code bench serve} starts as a separate process ({@code stratus up} on a
 * free loopback port, rate limit off, access log off, a fresh data directory) and stops again:
 * SIGTERM, then a kill after ten seconds, the launcher's children included. Also stopped from a
 * shutdown hook, so Ctrl-C does not leave a server behind.
 */
final class AppProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final URI url;
    private final Thread hook;
    private volatile boolean keepLog;

    private AppProcess(Process process, Path dataDir, Path log, URI url) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.url = url;
        this.hook = new Thread(this::stopAndClean, "bench-stop-server");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code <stratus> up ... <extraArgs>} with its access log at {@code accessLog}; its
     * output goes to a log in the data directory.
     */
    static AppProcess start(Path stratus, List<String> extraArgs, String accessLog) throws IOException {
        if (!Files.isExecutable(stratus)) {
            throw new IOException(stratus + " is not an executable Stratus launcher (set --stratus)");
        }
        int port = freePort();
        Path dataDir = Files.createTempDirectory("stratus-bench-serve-");
        Path log = dataDir.resolve("server.log");
        Path launcher = stratus.toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "up", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--management-port", "0", "--rate-limit", "0",
                "--data-dir", dataDir.resolve("data").toString()));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(launcher.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put(CliEnvironment.ACCESS_LOG.name(), accessLog);
        Process process = builder.start();
        return new AppProcess(process, dataDir, log, URI.create("http://127.0.0.1:" + port));
    }

    URI url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits for {@code ready} (see {@link #awaitReady(BooleanSupplier, Duration, PrintStream, Supplier)});
     * a failure carries the end of the server's log, and the log is kept.
     */
    void awaitReady(BooleanSupplier ready, Duration timeout, PrintStream progress) throws IOException {
        try {
            awaitReady(ready, timeout, progress, () -> process.isAlive() ? null
                    : "the server exited with code " + process.exitValue() + " before it was ready");
        } catch (IOException e) {
            keepLog = true;
            throw new IOException(e.getMessage() + "; the end of its log (" + log + "):\n" + tail(log, 20), e);
        }
    }

    /**
     * Polls {@code ready} every quarter second until it says yes, drawing a progress bar. Fails when
     * {@code gone} names a reason to stop (the server process died) or when {@code timeout} passes.
     */
    static void awaitReady(BooleanSupplier ready, Duration timeout, PrintStream progress, Supplier<String> gone)
            throws IOException {
        long start = System.nanoTime();
        ProgressBar bar = new ProgressBar("waiting for " + PredictionClient.READY, timeout.toNanos(), progress);
        while (!ready.getAsBoolean()) {
            long waited = System.nanoTime() - start;
            String problem = gone.get();
            if (problem == null && waited > timeout.toNanos()) {
                problem = "the server is not ready after " + timeout.toSeconds() + " s";
            }
            if (problem != null) {
                bar.finish("failed");
                throw new IOException(problem);
            }
            bar.update(waited, "not ready yet");
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the server", e);
            }
        }
        bar.finish("ready");
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return; // the hook is running: it stops the same process
        }
        stopAndClean();
    }

    /** Stops the server and removes its data directory, unless it failed to start (then its log stays). */
    private void stopAndClean() {
        stop();
        if (!keepLog) {
            deleteTree(dataDir);
        }
    }

    /** SIGTERM to the server and whatever the launcher started; a kill for those left after the grace period. */
    private synchronized void stop() {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle handle : family) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                handle.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.destroyForcibly();
            }
        }
        try {
            process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file, int lines) {
        try (Stream<String> all = Files.lines(file)) {
            List<String> kept = all.toList();
            return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
