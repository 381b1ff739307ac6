package dev.stratus.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Watches the processes of a running stack and starts again any that exits, as a container
 * runtime restarts a crashed container: after a pause of one second, doubled (up to 30 s) each
 * time the same part dies again within a minute of its last restart. Before a restart, whatever
 * is left of the dead process's group (nginx's worker, say) is killed, so that the new one gets
 * its port. One restart at a time, on the supervisor's own thread.
 */
final class Supervisor implements AutoCloseable {
    private static final Duration CHECK = Duration.ofMillis(250);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final Duration CALM = Duration.ofMinutes(1);

    /** One supervised process: whether it runs, its pid, and how to start it again (may wait until ready). */
    record Part(String role, BooleanSupplier alive, LongSupplier pid, Runnable restart) {
    }

    private record History(long lastRestartNanos, Duration pause) {
    }

    private final Supplier<List<Part>> parts;
    private final Consumer<String> progress;
    private final Runnable changed;
    private final Map<String, Long> lastPids = new HashMap<>();
    private final Map<String, History> history = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts watching {@code parts}; {@code changed} runs after each restart. */
    Supervisor(Supplier<List<Part>> parts, Consumer<String> progress, Runnable changed) {
        this.parts = parts;
        this.progress = progress;
        this.changed = changed;
        this.thread = new Thread(this::watch, "supervisor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void watch() {
        while (!stopped) {
            for (Part part : parts.get()) {
                if (stopped) {
                    return;
                }
                if (part.alive().getAsBoolean()) {
                    lastPids.put(part.role(), part.pid().getAsLong());
                } else {
                    restart(part);
                }
            }
            if (!pause(CHECK)) {
                return;
            }
        }
    }

    private void restart(Part part) {
        Long pid = lastPids.get(part.role());
        if (pid != null) {
            Processes.killGroup(pid);
        }
        Duration pause = nextPause(part.role());
        progress.accept("supervisor: " + part.role() + (pid == null ? "" : " (pid " + pid + ")")
                + " exited; starting it again in " + pause.toMillis() + " ms");
        if (!pause(pause)) {
            return;
        }
        long started = System.nanoTime();
        try {
            part.restart().run();
            lastPids.put(part.role(), part.pid().getAsLong());
            progress.accept(String.format("supervisor: %s running again as pid %d (%.1f s)", part.role(), part.pid().getAsLong(),
                    (System.nanoTime() - started) / 1e9));
            changed.run();
        } catch (RuntimeException e) {
            if (!stopped) {
                progress.accept("supervisor: starting " + part.role() + " again failed (" + e.getMessage()
                        + "); trying again");
            }
        }
    }

    private Duration nextPause(String role) {
        History last = history.get(role);
        Duration pause = last == null || System.nanoTime() - last.lastRestartNanos() > CALM.toNanos()
                ? FIRST_PAUSE
                : last.pause().multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : last.pause().multipliedBy(2);
        history.put(role, new History(System.nanoTime(), pause));
        return pause;
    }

    /** False when stopped meanwhile. */
    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops watching; returns once no restart is in progress (or after 30 s). */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
