package dev.stratus.server.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, written in batches. A request thread only appends its entry to a queue:
 * no formatting, no system call and no thread to wake, which through a logger (one event, one
 * wake-up of the appender's thread, one write each) halved the app's throughput. A thread of its
 * own formats what has gathered every {@link #FLUSH_NANOS} and writes it in one go, in the
 * shape of the other log lines. The {@code stratus.access} logger's level still decides
 * ({@code STRATUS_ACCESS_LOG=OFF} silences it); a backlog beyond {@link #MAX_BACKLOG} entries
 * is dropped and counted rather than held.
 */
final class AccessLog implements AutoCloseable {
    private static final Logger ACCESS = LoggerFactory.getLogger("stratus.access");
    private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int MAX_BACKLOG = 100_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    /** What one line says. */
    record Entry(long epochMillis, String requestId, String client, String method, String path, int status,
                 long micros) {
    }

    private final boolean enabled = ACCESS.isInfoEnabled();
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger backlog = new AtomicInteger();
    private final Counter dropped;
    private final PrintStream out;
    private final Thread writer;
    private volatile boolean running = true;

    AccessLog(MeterRegistry registry, PrintStream out) {
        this.out = out;
        this.dropped = Counter.builder("stratus.access.dropped")
                .description("Access log lines dropped because the writer fell behind").register(registry);
        this.writer = new Thread(this::run, "access-log");
        this.writer.setDaemon(true);
        if (enabled) {
            writer.start();
        }
    }

    void record(Entry entry) {
        if (!enabled) {
            return;
        }
        if (backlog.incrementAndGet() > MAX_BACKLOG) {
            backlog.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.offer(entry);
    }

    private void run() {
        StringBuilder lines = new StringBuilder(64 * 1024);
        while (running) {
            LockSupport.parkNanos(FLUSH_NANOS);
            drain(lines);
        }
        drain(lines);
    }

    private void drain(StringBuilder lines) {
        Entry entry;
        while ((entry = queue.poll()) != null) {
            backlog.decrementAndGet();
            format(entry, lines);
            if (lines.length() > 60 * 1024) {
                write(lines);
            }
        }
        write(lines);
    }

    static void format(Entry e, StringBuilder line) {
        TIME.formatTo(Instant.ofEpochMilli(e.epochMillis()), line);
        line.append(" INFO  [access-log] stratus.access - request_id=").append(e.requestId())
                .append(" client=").append(e.client()).append(" method=").append(e.method())
                .append(" path=").append(e.path()).append(" status=").append(e.status())
                .append(" micros=").append(e.micros()).append('\n');
    }

    private void write(StringBuilder lines) {
        if (lines.isEmpty()) {
            return;
        }
        byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
        lines.setLength(0);
        out.write(bytes, 0, bytes.length);
        out.flush();
    }

    /** Writes what is still queued, then stops the writer (within a second). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
