package dev.stratus.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * An open-model load generator: request {@code i} of a step is due at {@code start + i / rate},
 * whatever happened to the requests before it, and its latency is measured from that intended
 * time. A request that waits in the client, because every connection is busy or because the
 * scheduler woke late, is still charged for the wait. This is what avoids coordinated omission: a
 * closed loop (send, wait, send) stops offering load while the server stalls and so never sees
 * the requests that would have piled up.
 */
final class OpenLoop {

    /** Sends one request; the future completes with the answer or fails with the I/O error. */
    interface Target {
        CompletableFuture<PredictionClient.Answer> send(byte[] body);
    }

    /** One constant-rate step: {@code rate} requests per second for {@code seconds}. */
    record Step(double rate, double seconds, int connections, Duration drain) {
        Step {
            if (!(rate > 0) || !(seconds > 0) || connections <= 0 || drain.isNegative()) {
                throw new IllegalArgumentException("a step needs a positive rate, duration and connection count, got "
                        + rate + "/s for " + seconds + " s over " + connections + " connections");
            }
        }

        long requests() {
            return Math.max(1, Math.round(rate * seconds));
        }
    }

    /**
     * The outcome of a step; {@code abandoned} requests were sent but never completed in time. The
     * CPU seconds that this process and the server used during the step show, on a small machine,
     * how much of it the load generator took from the server (NaN when unknown).
     */
    record StepResult(Step step, long scheduled, double elapsedSeconds, long abandoned, StepTally tally,
                      double clientCpuSeconds, double serverCpuSeconds) {
        double throughput() {
            return tally.answered.sum() / elapsedSeconds;
        }

        double goodput() {
            return tally.status(200) / elapsedSeconds;
        }
    }

    private final Target target;
    private final DigitRequests digits;
    private final Duration requestTimeout;
    private final PrintWriter progress;
    private final Supplier<Optional<Duration>> serverCpu;

    /** {@code serverCpu} reads the server's CPU time so far, when it is a process this machine can see. */
    OpenLoop(Target target, DigitRequests digits, Duration requestTimeout, PrintWriter progress,
             Supplier<Optional<Duration>> serverCpu) {
        this.target = target;
        this.digits = digits;
        this.requestTimeout = requestTimeout;
        this.progress = progress;
        this.serverCpu = serverCpu;
    }

    StepResult run(Step step, String label) throws InterruptedException {
        return new Run(step, label).execute();
    }

    private record Pending(long index, long intendedNanos) {
    }

    private static Optional<Duration> ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration();
    }

    private static double seconds(Optional<Duration> before, Optional<Duration> after) {
        return before.isPresent() && after.isPresent() ? after.get().minus(before.get()).toNanos() / 1e9 : Double.NaN;
    }

    /** The state of one step: the client-side queue, the connection permits, the tally. */
    private final class Run {
        private final Step step;
        private final String label;
        private final StepTally tally = new StepTally();
        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final Semaphore connections;
        private final AtomicInteger pumping = new AtomicInteger();
        private volatile boolean closed;
        private volatile long scheduled;

        Run(Step step, String label) {
            this.step = step;
            this.label = label;
            this.connections = new Semaphore(step.connections());
        }

        StepResult execute() throws InterruptedException {
            long count = step.requests();
            double period = 1e9 / step.rate();
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "bench-progress");
                thread.setDaemon(true);
                return thread;
            });
            Optional<Duration> clientCpuBefore = ownCpu();
            Optional<Duration> serverCpuBefore = serverCpu.get();
            long start = System.nanoTime();
            reporter.scheduleAtFixedRate(new Progress(start), 1, 1, TimeUnit.SECONDS);
            try {
                schedule(start, count, period);
                long abandoned = drain(count);
                long end = Math.max(tally.lastCompletionNanos.get(), start + (long) ((count - 1) * period) + 1);
                return new StepResult(step, count, (end - start) / 1e9, abandoned, tally,
                        seconds(clientCpuBefore, ownCpu()), seconds(serverCpuBefore, serverCpu.get()));
            } finally {
                reporter.shutdownNow();
            }
        }

        /** Queues each request at its due time; after a late wake-up, every request already due at once. */
        private void schedule(long start, long count, double period) {
            long index = 0;
            while (index < count) {
                long now = System.nanoTime();
                long due = start + (long) (index * period);
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                    continue;
                }
                for (; index < count && (due = start + (long) (index * period)) <= now; index++) {
                    queue.add(new Pending(index, due));
                }
                scheduled = index;
                pump();
            }
        }

        /**
         * Waits for the queue to empty and the answers to come back. What is still queued after
         * {@code drain} is recorded as never sent (with the wait so far as its latency, a lower
         * bound); what is in flight gets the request timeout to end.
         */
        private long drain(long count) throws InterruptedException {
            long giveUp = System.nanoTime() + step.drain().toNanos();
            while (tally.completed() < count && System.nanoTime() < giveUp) {
                Thread.sleep(5);
            }
            closed = true;
            long now = System.nanoTime();
            for (Pending pending; (pending = queue.poll()) != null; ) {
                tally.neverSent(now - pending.intendedNanos());
            }
            long inFlightDeadline = now + requestTimeout.toNanos() + Duration.ofSeconds(2).toNanos();
            while (tally.completed() < tally.sent.sum() && System.nanoTime() < inFlightDeadline) {
                Thread.sleep(5);
            }
            return tally.sent.sum() - tally.completed();
        }

        /**
         * Sends queued requests while connections are free. Called by the scheduler and by every
         * completion; the counter lets one caller at a time loop, and makes it loop again when
         * another call came in meanwhile, so nothing is left queued with a connection free.
         */
        private void pump() {
            if (pumping.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!closed && !queue.isEmpty() && connections.tryAcquire()) {
                    Pending pending = queue.poll();
                    if (pending == null) {
                        connections.release();
                        break;
                    }
                    send(pending);
                }
                missed = pumping.addAndGet(-missed);
            } while (missed != 0);
        }

        private void send(Pending pending) {
            int digit = (int) (pending.index() % digits.count());
            tally.sent.increment();
            CompletableFuture<PredictionClient.Answer> answer;
            try {
                answer = target.send(digits.body(digit));
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((result, error) -> {
                long now = System.nanoTime();
                if (error == null) {
                    tally.answered(now - pending.intendedNanos(), result, digits.label(digit), now);
                } else {
                    tally.failed(now - pending.intendedNanos(), error, now);
                }
                connections.release();
                pump();
            });
        }

        /** Once a second: what was sent, answered and failed in that second, and what is waiting. */
        private final class Progress implements Runnable {
            private final long start;
            private long sent;
            private long answered;
            private long errors;

            Progress(long start) {
                this.start = start;
            }

            @Override
            public void run() {
                long nowSent = tally.sent.sum();
                long nowAnswered = tally.answered.sum();
                long nowErrors = tally.errors();
                long inFlight = nowSent - tally.completed();
                long queued = Math.max(0, scheduled - nowSent - tally.unsent.sum());
                progress.printf("  %s %3.0f s: sent %6d, answered %6d, errors %5d | in flight %4d, queued in client %6d%n",
                        label, (System.nanoTime() - start) / 1e9, nowSent - sent, nowAnswered - answered,
                        nowErrors - errors, inFlight, queued);
                progress.flush();
                sent = nowSent;
                answered = nowAnswered;
                errors = nowErrors;
            }
        }
    }
}
