package dev.stratus.server.pipeline;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner;
import dev.stratus.server.models.VersionMeters;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.PredictionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded pipeline: a bounded queue in front of the classifier and one thread that takes
 * whatever is waiting, up to {@code maxBatch} images, and classifies them in one call. A lone
 * request waits at most {@code batchDelay} for company; under load, batches fill by themselves
 * while the previous one runs, so throughput grows with load. Each batch takes the
 * {@link ModelRouter}'s models once, so a swap never splits a batch between versions it did not
 * choose: the canary's share of the batch goes to the canary, the rest to the active model.
 */
public final class MicroBatchingPipeline implements InferencePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchingPipeline.class);

    private record Job(String id, DigitImage image, long enqueuedNanos, CompletableFuture<Classified> result) {
    }

    private final ModelRouter router;
    private final ShadowRunner shadows;
    private final VersionMeters versions;
    private final PredictionStore store;
    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final long batchDelayNanos;
    private final Thread worker;
    private final DistributionSummary batchSizes;
    private final Timer inferenceTimer;
    private final ExecutorService callbacks;
    private volatile boolean running = true;

    /** A pipeline that serves {@code model} alone; the caller closes the model after the pipeline. */
    public MicroBatchingPipeline(Model model, PredictionStore store, int queueCapacity, int maxBatch, Duration batchDelay,
                                 MeterRegistry registry) {
        this(new ModelRouter(model), null, new VersionMeters(registry), store, queueCapacity, maxBatch, batchDelay,
                registry);
    }

    /**
     * A pipeline that serves what {@code router} routes to, its shadow's copies through
     * {@code shadows} (null: no shadow runs); the caller closes the router and the shadow
     * runner after the pipeline.
     */
    public MicroBatchingPipeline(ModelRouter router, ShadowRunner shadows, VersionMeters versions, PredictionStore store,
                                 int queueCapacity, int maxBatch, Duration batchDelay, MeterRegistry registry) {
        this.router = router;
        this.shadows = shadows;
        this.versions = versions;
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.batchDelayNanos = batchDelay.toNanos();
        this.batchSizes = DistributionSummary.builder("stratus.inference.batch.size")
                .description("Images classified per call to the network")
                .publishPercentileHistogram().maximumExpectedValue((double) maxBatch).register(registry);
        this.inferenceTimer = Timer.builder("stratus.inference.duration")
                .description("Time of one call to the network (a whole batch)")
                .publishPercentileHistogram().register(registry);
        registry.gauge("stratus.inference.queue.depth", queue, BlockingQueue::size);
        this.callbacks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "inference-callback");
            t.setDaemon(true);
            return t;
        });
        this.worker = new Thread(this::run, "inference-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    @Override
    public CompletableFuture<Classified> submit(String requestId, DigitImage image) {
        CompletableFuture<Classified> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new PipelineClosedException("the inference pipeline is shutting down"));
        } else if (!queue.offer(new Job(requestId, image, System.nanoTime(), result))) {
            result.completeExceptionally(new PipelineFullException("the inference queue is full ("
                    + queue.remainingCapacity() + " free); retry shortly"));
        }
        return result;
    }

    @Override
    public boolean ready() {
        return running && worker.isAlive() && queue.remainingCapacity() > 0;
    }

    @Override
    public Optional<String> modelVersion() {
        return Optional.of(router.activeVersion());
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                long deadline = System.nanoTime() + batchDelayNanos;
                while (batch.size() < maxBatch && batchDelayNanos > 0) {
                    long left = deadline - System.nanoTime();
                    Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, maxBatch - batch.size());
                }
                classify(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                LOG.error("inference failed for a batch of {}", batch.size(), e);
                batch.forEach(job -> job.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        queue.forEach(job -> job.result().completeExceptionally(
                new PipelineClosedException("the inference pipeline stopped")));
    }

    private void classify(List<Job> batch) {
        long start = System.nanoTime();
        int n = batch.size();
        List<Prediction> predictions = new ArrayList<>(java.util.Collections.nCopies(n, null));
        List<String> versionOf = new ArrayList<>(java.util.Collections.nCopies(n, null));
        ModelRouter.Lease lease = router.acquire();
        boolean handedToShadow = false;
        try {
            Model active = lease.active();
            Model canary = null;
            List<Integer> onActive = new ArrayList<>(n);
            List<Integer> onCanary = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Model m = lease.modelFor(batch.get(i).id());
                if (m == active) {
                    onActive.add(i);
                } else {
                    onCanary.add(i);
                    canary = m;
                }
            }
            if (canary == null) {
                classifyOn(active, batch, null, predictions, versionOf);
            } else {
                if (!onActive.isEmpty()) {
                    classifyOn(active, batch, onActive, predictions, versionOf);
                }
                classifyOn(canary, batch, onCanary, predictions, versionOf);
            }
            Optional<Model> shadow = lease.shadow();
            if (shadow.isPresent() && shadows != null) {
                shadows.submit(lease, shadow.get(), batch.stream().map(Job::id).toList(),
                        batch.stream().map(Job::image).toList(), List.copyOf(predictions), List.copyOf(versionOf));
                handedToShadow = true;
            }
        } finally {
            if (!handedToShadow) {
                lease.close();
            }
        }
        long end = System.nanoTime();
        inferenceTimer.record(end - start, TimeUnit.NANOSECONDS);
        batchSizes.record(n);
        long inferenceMicros = (end - start) / 1_000;
        Instant now = Instant.now();
        List<Classified> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Job job = batch.get(i);
            results.add(new Classified(
                    PredictionRecord.classified(job.id(), now, versionOf.get(i), predictions.get(i), job.image()),
                    (start - job.enqueuedNanos()) / 1_000, inferenceMicros, n));
        }
        List<Job> jobs = List.copyOf(batch);
        // Storing and whatever waits on the answer (JSON, the socket write) run on the callback
        // threads, not here: this thread only feeds the network.
        try {
            callbacks.execute(() -> storeAndAnswer(jobs, results));
        } catch (RejectedExecutionException e) {
            jobs.forEach(job -> job.result().completeExceptionally(
                    new PipelineClosedException("the inference pipeline is shutting down")));
        }
    }

    /** Classifies the jobs at {@code indices} (all when null) on {@code model}, in one call. */
    private void classifyOn(Model model, List<Job> batch, List<Integer> indices, List<Prediction> predictions,
                            List<String> versionOf) {
        long start = System.nanoTime();
        List<DigitImage> images = new ArrayList<>(indices == null ? batch.size() : indices.size());
        if (indices == null) {
            batch.forEach(job -> images.add(job.image()));
        } else {
            indices.forEach(i -> images.add(batch.get(i).image()));
        }
        List<Prediction> answers = model.classifier().classifyBatch(images);
        for (int k = 0; k < answers.size(); k++) {
            int i = indices == null ? k : indices.get(k);
            predictions.set(i, answers.get(k));
            versionOf.set(i, model.version());
        }
        versions.answered(model.version(), answers.size(), System.nanoTime() - start);
    }

    /** One durable save for the whole batch, then the answers: nothing is answered that is not stored. */
    private void storeAndAnswer(List<Job> jobs, List<Classified> results) {
        List<PredictionRecord> stored;
        try {
            stored = store.saveAll(results.stream().map(Classified::record).toList());
        } catch (RuntimeException e) {
            jobs.forEach(job -> job.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < jobs.size(); i++) {
            jobs.get(i).result().complete(results.get(i).withRecord(stored.get(i)));
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callbacks.shutdown();
        try {
            // Batches being stored finish before the store closes behind this pipeline.
            if (!callbacks.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("batches were still being stored when the pipeline closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
