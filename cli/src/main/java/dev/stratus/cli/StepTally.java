package dev.stratus.cli;

import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What happened to the requests of one load step, written to by the threads that complete them.
 * Every request ends in exactly one of: an HTTP status, a connection error, a client timeout, or
 * never sent (still queued in the client when the step gave up). Each is recorded with its latency
 * from the intended send time, so the histogram holds every scheduled request.
 */
final class StepTally {
    /** Latencies are kept in microseconds up to an hour, to three significant digits. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    final Histogram all = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    final Histogram ok = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    final LongAdder sent = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder connectionErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder unsent = new LongAdder();
    final LongAdder checked = new LongAdder();
    final LongAdder correct = new LongAdder();
    final AtomicLong lastCompletionNanos = new AtomicLong();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    void answered(long latencyNanos, PredictionClient.Answer answer, int label, long now) {
        record(all, latencyNanos);
        statuses.computeIfAbsent(answer.status(), s -> new LongAdder()).increment();
        answered.increment();
        if (answer.status() == 200) {
            record(ok, latencyNanos);
            checked.increment();
            if (answer.digit() == label) {
                correct.increment();
            }
        }
        lastCompletionNanos.accumulateAndGet(now, Math::max);
    }

    void failed(long latencyNanos, Throwable error, long now) {
        record(all, latencyNanos);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException) {
            timeouts.increment();
        } else {
            connectionErrors.increment();
        }
        lastCompletionNanos.accumulateAndGet(now, Math::max);
    }

    void neverSent(long latencyNanos) {
        record(all, latencyNanos);
        unsent.increment();
    }

    long completed() {
        return answered.sum() + connectionErrors.sum() + timeouts.sum();
    }

    /** Requests that did not end in a 200. */
    long errors() {
        return completed() + unsent.sum() - status(200);
    }

    long status(int code) {
        LongAdder count = statuses.get(code);
        return count == null ? 0 : count.sum();
    }

    Map<Integer, Long> statuses() {
        Map<Integer, Long> copy = new TreeMap<>();
        statuses.forEach((code, count) -> copy.put(code, count.sum()));
        return copy;
    }

    private static void record(Histogram histogram, long latencyNanos) {
        histogram.recordValue(Math.max(0, Math.min(HIGHEST_MICROS, latencyNanos / 1_000)));
    }
}
