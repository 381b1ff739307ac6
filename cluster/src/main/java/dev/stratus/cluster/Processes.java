package dev.stratus.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Child processes of this JVM: free loopback ports to give them, waiting until they are ready
 * (a log line, a URL, an open port) and stopping them politely, then forcibly.
 */
public final class Processes {
    /** Every server this module starts listens here, and nowhere else. */
    public static final String LOOPBACK = "127.0.0.1";

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    /**
     * Linux sends a child its parent-death signal when the thread that started it ends, not the
     * process: every child is started from this one thread, which lives as long as the JVM.
     */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "process-spawner");
        thread.setDaemon(true);
        return thread;
    });
    private static final int TAIL_LINES = 40;

    private Processes() {
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /** {@code count} distinct ports that were free on 127.0.0.1 a moment ago. */
    public static int[] freePorts(int count) {
        // Hold every socket open until all are chosen, so that the ports differ from one another.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is released either way
                }
            }
        }
    }

    /** The java binary that runs this JVM, so children run on the same Java. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .or(() -> Optional.ofNullable(System.getenv("JAVA_HOME"))
                        .map(home -> Path.of(home, "bin", "java").toString()))
                .orElse("java");
    }

    /**
     * Starts {@code command} in {@code directory} with its stdout and stderr appended to
     * {@code log}, so that a restart keeps the earlier output. The child runs in a session of
     * its own: a Ctrl-C in the terminal reaches only this JVM, which then stops its children in
     * order, instead of every process at once. When this JVM dies without stopping them (kill -9,
     * an OOM kill), each child gets SIGTERM from the kernel (setpriv --pdeathsig), so none
     * outlives it.
     */
    public static Process start(List<String> command, Path directory, Path log) {
        return start(command, java.util.Map.of(), directory, log, "TERM");
    }

    /** As {@link #start(List, Path, Path)}, with {@code environment} added to this JVM's. */
    public static Process start(List<String> command, java.util.Map<String, String> environment, Path directory,
                                Path log) {
        return start(command, environment, directory, log, "TERM");
    }

    /**
     * As {@link #start(List, java.util.Map, Path, Path)}; {@code deathSignal} (TERM, KILL) is what
     * the child receives when this JVM dies.
     */
    public static Process start(List<String> command, java.util.Map<String, String> environment, Path directory,
                                Path log, String deathSignal) {
        List<String> detached = new ArrayList<>();
        // setsid and setpriv exec the command in place (the child is no group leader), so the pid stays the command's.
        if (Files.isExecutable(SETSID)) {
            detached.add(SETSID.toString());
        }
        if (Files.isExecutable(SETPRIV)) {
            detached.addAll(List.of(SETPRIV.toString(), "--pdeathsig", deathSignal, "--"));
        }
        detached.addAll(command);
        try {
            Files.createDirectories(directory);
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(detached)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(environment);
            return onSpawner(builder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** builder.start() on the spawner thread; an interrupt waits for it, so that no started child is lost. */
    private static Process onSpawner(ProcessBuilder builder) throws IOException {
        Future<Process> started = SPAWNER.submit(builder::start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The current length of {@code log}, 0 when absent: where the output of a new start begins. */
    public static long sizeOf(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code log}, read from byte {@code from}, contains {@code text}. */
    public static void awaitLogLine(String what, Process process, Path log, long from, String text, Duration timeout) {
        await(what, process, log, timeout, () -> readFrom(log, from).contains(text));
    }

    /** Waits until a GET of {@code uri} answers 200. */
    public static void awaitHttpOk(String what, Process process, Path log, URI uri, Duration timeout) {
        awaitHttpOk(what, process, log, HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(), timeout);
    }

    /** Waits until {@code request} (give it a timeout of its own) answers 200. */
    public static void awaitHttpOk(String what, Process process, Path log, HttpRequest request, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI uri = request.uri();
        await(what, process, log, timeout, () -> {
            try {
                return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupFailedException(what + ": interrupted while waiting for " + uri, e);
            }
        });
    }

    /** Waits until 127.0.0.1:{@code port} accepts a TCP connection. */
    public static void awaitPort(String what, Process process, Path log, int port, Duration timeout) {
        await(what, process, log, timeout, () -> accepts(port));
    }

    /** Whether 127.0.0.1:{@code port} accepts a TCP connection now. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code ready} holds, polling; fails with the end of {@code log} if
     * {@code process} exits first or {@code timeout} passes.
     */
    public static void await(String what, Process process, Path log, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new StartupFailedException(what + " exited with status " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + tail(log, TAIL_LINES));
            }
            if (System.nanoTime() > deadline) {
                throw new StartupFailedException(what + " was not ready after " + timeout.toSeconds()
                        + " s; last lines of " + log + ":\n" + tail(log, TAIL_LINES));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupFailedException(what + ": interrupted while waiting for it to start", e);
            }
        }
    }

    /**
     * Stops {@code process}: SIGTERM, up to {@code grace} to exit, then SIGKILL to it and to
     * whatever it started. Returns whether it exited on its own.
     */
    public static boolean stop(Process process, Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        boolean polite = waitFor(process, grace);
        if (!polite) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
        }
        killAll(children);
        return polite;
    }

    /** SIGKILL to {@code process} and whatever it started; returns when it is gone. */
    public static void kill(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        waitFor(process, Duration.ofSeconds(10));
        killAll(children);
    }

    /**
     * SIGKILL to every process in the group that {@code leader} leads: each process that
     * {@link #start} started leads its own (nginx's master and its worker, say), so this kills
     * the whole of it, as a container runtime kills a container. Nothing happens if it is empty.
     */
    public static void killGroup(long leader) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + leader).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill(1) to stop process group " + leader, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops all {@code processes} together: SIGTERM to each, then SIGKILL to those alive after {@code grace}. */
    public static void stopAll(List<Process> processes, Duration grace) {
        List<ProcessHandle> children = processes.stream().flatMap(Process::descendants).toList();
        processes.forEach(Process::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process process : processes) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!waitFor(process, Duration.ofNanos(left))) {
                process.destroyForcibly();
            }
        }
        processes.forEach(process -> waitFor(process, Duration.ofSeconds(10)));
        killAll(children);
    }

    /** SIGTERM to each of {@code handles} (not children of this JVM), then SIGKILL to what is still there after {@code grace}. */
    public static void stopHandles(List<ProcessHandle> handles, Duration grace) {
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : handles) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    private static void killAll(List<ProcessHandle> handles) {
        for (ProcessHandle handle : handles) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Keep the interrupt for the caller, but still make sure the child goes away.
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /** The last {@code lines} lines of {@code log}, or a note that it is missing. */
    public static String tail(Path log, int lines) {
        if (!Files.exists(log)) {
            return "(" + log + " does not exist)";
        }
        long size = sizeOf(log);
        String text = readFrom(log, Math.max(0, size - 64 * 1024));
        String[] all = text.split("\r?\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", Arrays.asList(all).subList(from, all.length));
    }

    /** The text of {@code log} from byte {@code from} on (empty if it is not there). */
    public static String readFrom(Path log, long from) {
        if (!Files.exists(log)) {
            return "";
        }
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            channel.position(Math.min(from, channel.size()));
            try (InputStream in = Channels.newInputStream(channel)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }
}
