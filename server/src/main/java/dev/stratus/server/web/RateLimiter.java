package dev.stratus.server.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code burst} requests at once, refilled at {@code perSecond}.
 * Once the table holds {@value #MAX_CLIENTS} clients, buckets that have refilled (their client
 * quiet for {@code burst / perSecond} seconds; a fresh bucket would be the same) are swept out,
 * and the next sweep waits until the table has doubled from what was left: each sweep's cost is
 * paid for by as many new clients, so a request costs O(1) amortised, however many clients there
 * are. (Scanning every bucket on every request above the mark made each request O(clients).)
 */
public final class RateLimiter {
    private static final int MAX_CLIENTS = 100_000;

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final long refillNanos;
    /** The table size that starts the next sweep; {@code Long.MAX_VALUE} while one runs. */
    private final AtomicLong sweepAbove = new AtomicLong(MAX_CLIENTS);

    private static final class Bucket {
        double tokens;
        volatile long lastNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastNanos = now;
        }
    }

    public RateLimiter(double perSecond, int burst) {
        this(perSecond, burst, System::nanoTime);
    }

    /** With the clock given: tests step it instead of waiting for refills. */
    RateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.refillNanos = perSecond > 0 ? (long) Math.ceil(burst / perSecond * 1e9) : 0;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** Takes one token for {@code client}; returns 0 when allowed, else the seconds to wait. */
    public long acquire(String client) {
        if (!enabled()) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        if (buckets.size() > sweepAbove.get()) {
            sweep(now);
        }
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.lastNanos) / 1e9 * perSecond);
            bucket.lastNanos = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
        }
    }

    /** One thread sweeps; the others carry on without waiting for it. */
    private void sweep(long now) {
        long mark = sweepAbove.get();
        if (mark == Long.MAX_VALUE || !sweepAbove.compareAndSet(mark, Long.MAX_VALUE)) {
            return;
        }
        buckets.values().removeIf(b -> now - b.lastNanos > refillNanos);
        sweepAbove.set(Math.max(MAX_CLIENTS, 2L * buckets.size()));
    }

    /** Clients with a bucket now. */
    int tracked() {
        return buckets.size();
    }
}
