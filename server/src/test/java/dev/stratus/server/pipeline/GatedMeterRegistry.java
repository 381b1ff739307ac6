package dev.stratus.server.pipeline;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.cumulative.CumulativeDistributionSummary;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A registry whose {@code stratus.inference.batch.size} holds the thread that records into it until
 * {@link #open()}. The embedded pipeline's worker records a batch's size after classifying it and
 * before answering it, so a test can fill the queue behind a held worker without racing it.
 */
public final class GatedMeterRegistry extends SimpleMeterRegistry {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    @Override
    protected DistributionSummary newDistributionSummary(Meter.Id id, DistributionStatisticConfig config,
                                                         double scale) {
        if (!"stratus.inference.batch.size".equals(id.getName())) {
            return super.newDistributionSummary(id, config, scale);
        }
        return new CumulativeDistributionSummary(id, clock, config, scale, false) {
            @Override
            protected void recordNonNegative(double amount) {
                held.countDown();
                try {
                    open.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.recordNonNegative(amount);
            }
        };
    }

    /** Waits until the worker is held with its first batch classified and not yet answered. */
    public void awaitHeld() throws InterruptedException {
        if (!held.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the pipeline's worker never recorded a batch");
        }
    }

    /** Lets every held and later batch through. */
    public void open() {
        open.countDown();
    }
}
