package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets on a clock the test steps: no waiting, so refills are exact. */
class RateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private RateLimiter limiter(double perSecond, int burst) {
        return new RateLimiter(perSecond, burst, now::get);
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** The waits answered to {@code n} requests in a row: 0 for each one allowed. */
    private static List<Long> acquire(RateLimiter limiter, String client, int n) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waits.add(limiter.acquire(client));
        }
        return waits;
    }

    @Test
    void allows_a_burst_then_refuses_with_the_seconds_until_the_next_token() {
        RateLimiter limiter = limiter(0.5, 3);

        assertThat(acquire(limiter, "10.0.0.1", 5)).containsExactly(0L, 0L, 0L, 2L, 2L);
    }

    @Test
    void tokens_come_back_at_the_configured_rate_up_to_the_burst() {
        RateLimiter limiter = limiter(4, 2);
        assertThat(acquire(limiter, "a", 3)).containsExactly(0L, 0L, 1L);

        advance(200);
        assertThat(limiter.acquire("a")).as("0.8 of a token after 200 ms at 4/s").isPositive();
        advance(100);
        assertThat(acquire(limiter, "a", 2)).as("1.2 tokens after 300 ms").containsExactly(0L, 1L);

        advance(500);
        assertThat(acquire(limiter, "a", 3)).as("0.2 + 2 tokens, capped at the burst of 2")
                .containsExactly(0L, 0L, 1L);

        advance(60_000);
        assertThat(acquire(limiter, "a", 3)).as("a quiet minute refills to the burst, not beyond")
                .containsExactly(0L, 0L, 1L);
    }

    @Test
    void each_client_address_has_its_own_bucket() {
        RateLimiter limiter = limiter(1, 2);

        assertThat(acquire(limiter, "192.0.2.1", 3)).containsExactly(0L, 0L, 1L);
        assertThat(acquire(limiter, "192.0.2.2", 3)).containsExactly(0L, 0L, 1L);
        advance(1_000);
        assertThat(acquire(limiter, "192.0.2.1", 2)).containsExactly(0L, 1L);
        assertThat(acquire(limiter, "192.0.2.3", 2)).containsExactly(0L, 0L);
    }

    @Test
    void a_rate_of_zero_disables_the_limit() {
        RateLimiter limiter = limiter(0, 1);

        assertThat(limiter.enabled()).isFalse();
        assertThat(acquire(limiter, "a", 1_000)).containsOnly(0L);
        assertThat(limiter(0.1, 1).enabled()).isTrue();
    }

    @Test
    void a_request_costs_no_scan_of_every_client_once_a_hundred_thousand_are_tracked() {
        RateLimiter limiter = limiter(50, 100);
        // Before: each request above 100,000 clients scanned all of them, 60,000 x 100,000 here.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 160_000; i++) {
                assertThat(limiter.acquire("client-" + i)).isZero();
            }
        });
        assertThat(limiter.tracked()).isEqualTo(160_000);
    }

    @Test
    void clients_quiet_long_enough_to_refill_are_swept_out_and_lose_nothing() {
        RateLimiter limiter = limiter(50, 100);
        assertThat(acquire(limiter, "busy", 100)).containsOnly(0L);
        for (int i = 0; i < 100_000; i++) {
            limiter.acquire("quiet-" + i);
        }
        advance(2_001);
        limiter.acquire("newcomer");

        assertThat(limiter.tracked()).isEqualTo(1);
        // "busy" refilled in those 2 s: its fresh bucket is what it would have had.
        List<Long> waits = acquire(limiter, "busy", 101);
        assertThat(waits.subList(0, 100)).containsOnly(0L);
        assertThat(waits.get(100)).isPositive();
    }
}
