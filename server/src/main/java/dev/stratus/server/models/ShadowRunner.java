package dev.stratus.server.models;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies a copy of each batch with the shadow model, off the answer path: users get the
 * active model's answers whatever the shadow does. One thread and a short queue; when the shadow
 * falls behind, batches are skipped and counted, never queued without bound. Agreements and
 * disagreements are counted per shadow version, and the latest disagreements kept for review.
 */
public final class ShadowRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowRunner.class);
    /** Disagreements kept for {@code GET /api/v1/models}. */
    static final int KEPT = 100;

    private final MeterRegistry meters;
    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(16), r -> {
                Thread t = new Thread(r, "shadow-inference");
                t.setDaemon(true);
                return t;
            });
    private final Deque<Disagreement> disagreements = new ArrayDeque<>();

    /** A request the shadow read differently: its id, the digit the user got and the shadow's. */
    public record Disagreement(String id, String activeVersion, int active, String shadowVersion, int shadow) {
    }

    public ShadowRunner(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * Queues the shadow's copy of a classified batch; {@code lease} is closed when the shadow is
     * done with it (or at once, if the shadow is too far behind to take it).
     */
    public void submit(ModelRouter.Lease lease, Model shadow, List<String> ids, List<DigitImage> images,
                       List<Prediction> answered, List<String> answeredBy) {
        try {
            executor.execute(() -> {
                try (lease) {
                    compare(shadow, ids, images, answered, answeredBy);
                } catch (RuntimeException e) {
                    LOG.warn("the shadow model {} failed on a batch of {}: {}", shadow.version(), ids.size(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            lease.close();
            counter(VersionMeters.SHADOW_SKIPPED, shadow.version()).increment(ids.size());
        }
    }

    private void compare(Model shadow, List<String> ids, List<DigitImage> images, List<Prediction> answered,
                         List<String> answeredBy) {
        List<Prediction> shadowed = shadow.classifier().classifyBatch(images);
        int disagreed = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (shadowed.get(i).digit() != answered.get(i).digit()) {
                disagreed++;
                remember(new Disagreement(ids.get(i), answeredBy.get(i), answered.get(i).digit(), shadow.version(),
                        shadowed.get(i).digit()));
            }
        }
        counter(VersionMeters.SHADOW_COMPARED, shadow.version()).increment(ids.size());
        counter(VersionMeters.SHADOW_DISAGREED, shadow.version()).increment(disagreed);
    }

    private synchronized void remember(Disagreement d) {
        if (disagreements.size() == KEPT) {
            disagreements.removeFirst();
        }
        disagreements.addLast(d);
    }

    /** The latest disagreements, oldest first. */
    public synchronized List<Disagreement> disagreements() {
        return List.copyOf(disagreements);
    }

    private Counter counter(String name, String version) {
        return Counter.builder(name).tag("version", version).register(meters);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
