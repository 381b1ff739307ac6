package dev.stratus.server.pipeline;

import dev.stratus.core.explain.Occlusion;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.core.segment.Segmenter;
import dev.stratus.server.store.NumberRecord;
import dev.stratus.core.model.Model;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.RoutedClassifier;
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
 * while the previous one runs, so throughput grows with load. Each batch runs on the models its
 * {@link RoutedClassifier} leases once for it, so a model swap never splits a batch between
 * versions it did not choose (the canary's share of request ids aside).
 *
 * <p>A number waits in the same queue (one place of it) and is read on the same thread, by the
 * {@link Segmenter} (its pieces classified in one call of their own), so numbers neither get
 * past the queue's bound nor run beside the network's batches on other threads.
 */
public final class MicroBatchingPipeline implements InferencePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchingPipeline.class);

    /** What waits in the queue: a digit or a whole image to read as a number. */
    private sealed interface Job permits DigitJob, NumberJob {
        long enqueuedNanos();

        void fail(Throwable failure);
    }

    private record DigitJob(String id, DigitImage image, Precheck precheck, long enqueuedNanos,
                            CompletableFuture<Classified> result) implements Job {
        @Override
        public void fail(Throwable failure) {
            result.completeExceptionally(failure);
        }
    }

    private record NumberJob(String id, GreyImage image, long enqueuedNanos, CompletableFuture<ClassifiedNumber> result)
            implements Job {
        @Override
        public void fail(Throwable failure) {
            result.completeExceptionally(failure);
        }
    }

    private final RoutedClassifier models;
    private final int maxDigits;
    private final PredictionStore store;
    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final long batchDelayNanos;
    private final Thread worker;
    private final DistributionSummary batchSizes;
    private final Timer inferenceTimer;
    private final Timer numberTimer;
    private final ExecutorService callbacks;
    private volatile boolean running = true;

    public MicroBatchingPipeline(Model model, PredictionStore store, int queueCapacity, int maxBatch, Duration batchDelay,
                                 MeterRegistry registry) {
        this(model, store, queueCapacity, maxBatch, batchDelay, Segmenter.DEFAULT_MAX_DIGITS, registry);
    }

    /** As above, numbers of more than {@code maxDigits} digits refused; the caller closes the model after the pipeline. */
    public MicroBatchingPipeline(Model model, PredictionStore store, int queueCapacity, int maxBatch, Duration batchDelay,
                                 int maxDigits, MeterRegistry registry) {
        this(new RoutedClassifier(new ModelRouter(model), null, new VersionMeters(registry)), store, queueCapacity,
                maxBatch, batchDelay, maxDigits, registry);
    }

    /** A pipeline whose batches run on what {@code models} routes to; the caller closes its router after the pipeline. */
    public MicroBatchingPipeline(RoutedClassifier models, PredictionStore store, int queueCapacity, int maxBatch,
                                 Duration batchDelay, int maxDigits, MeterRegistry registry) {
        this.models = models;
        this.maxDigits = maxDigits;
        this.numberTimer = Timer.builder("stratus.numbers.inference.duration")
                .description("Time to segment one number and classify its pieces (one call to the network)")
                .publishPercentileHistogram().register(registry);
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
        return submit(requestId, image, Precheck.NONE);
    }

    @Override
    public CompletableFuture<Classified> submit(String requestId, DigitImage image, Precheck precheck) {
        CompletableFuture<Classified> result = new CompletableFuture<>();
        enqueue(new DigitJob(requestId, image, precheck, System.nanoTime(), result));
        return result;
    }

    @Override
    public CompletableFuture<ClassifiedNumber> submitNumber(String requestId, GreyImage image) {
        CompletableFuture<ClassifiedNumber> result = new CompletableFuture<>();
        enqueue(new NumberJob(requestId, image, System.nanoTime(), result));
        return result;
    }

    private void enqueue(Job job) {
        if (!running) {
            job.fail(new PipelineClosedException("the inference pipeline is shutting down"));
        } else if (!queue.offer(job)) {
            job.fail(new PipelineFullException("the inference queue is full ("
                    + queue.remainingCapacity() + " free); retry shortly"));
        }
    }

    @Override
    public Optional<float[]> why(String id, DigitImage input, int digit) {
        return Optional.of(models.withModel(id,
                model -> Occlusion.heatmap(model.classifier(), model.card().calibrationOrNone(), input, digit)));
    }

    @Override
    public boolean ready() {
        return running && worker.isAlive() && queue.remainingCapacity() > 0;
    }

    @Override
    public Optional<String> modelVersion() {
        return Optional.of(models.activeVersion());
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
                batch.forEach(job -> job.fail(e));
            } finally {
                batch.clear();
            }
        }
        queue.forEach(job -> job.fail(new PipelineClosedException("the inference pipeline stopped")));
    }

    private void classify(List<Job> batch) {
        List<DigitJob> digits = new ArrayList<>(batch.size());
        List<NumberJob> numbers = new ArrayList<>();
        for (Job job : batch) {
            if (job instanceof DigitJob digit) {
                digits.add(digit);
            } else {
                numbers.add((NumberJob) job);
            }
        }
        List<Classified> results = digits.isEmpty() ? List.of() : classifyDigits(digits);
        List<NumberJob> read = new ArrayList<>(numbers.size());
        List<ClassifiedNumber> readings = new ArrayList<>(numbers.size());
        for (NumberJob job : numbers) {
            long start = System.nanoTime();
            try {
                NumberRecord record = models.withModel(job.id(), model -> NumberRecord.classified(job.id(),
                        Instant.now(), model.version(), new Segmenter(model.classifier(), maxDigits).segment(job.image())));
                long end = System.nanoTime();
                numberTimer.record(end - start, TimeUnit.NANOSECONDS);
                readings.add(new ClassifiedNumber(record, (start - job.enqueuedNanos()) / 1_000, (end - start) / 1_000));
                read.add(job);
            } catch (IllegalArgumentException e) {
                // No digit in it, or too many: this number's answer, not the batch's.
                job.fail(e);
            }
        }
        // Storing and whatever waits on the answer (JSON, the socket write) run on the callback
        // threads, not here: this thread only feeds the network.
        try {
            callbacks.execute(() -> {
                storeAndAnswer(digits, results);
                storeAndAnswerNumbers(read, readings);
            });
        } catch (RejectedExecutionException e) {
            batch.forEach(job -> job.fail(new PipelineClosedException("the inference pipeline is shutting down")));
        }
    }

    private List<Classified> classifyDigits(List<DigitJob> batch) {
        long start = System.nanoTime();
        RoutedClassifier.Answers answers = models.classify(batch.stream().map(DigitJob::id).toList(),
                batch.stream().map(DigitJob::image).toList());
        long end = System.nanoTime();
        inferenceTimer.record(end - start, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        long inferenceMicros = (end - start) / 1_000;
        Instant now = Instant.now();
        List<Classified> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DigitJob job = batch.get(i);
            Prediction prediction = answers.predictions().get(i);
            results.add(new Classified(
                    PredictionRecord.classified(job.id(), now, answers.versions().get(i), prediction, job.image(),
                            job.precheck().decide(prediction.confidence(), answers.calibrations().get(i)),
                            job.precheck().number()),
                    (start - job.enqueuedNanos()) / 1_000, inferenceMicros, batch.size()));
        }
        return results;
    }

    /** As {@link #storeAndAnswer} for the numbers of a batch. */
    private void storeAndAnswerNumbers(List<NumberJob> jobs, List<ClassifiedNumber> readings) {
        if (jobs.isEmpty()) {
            return;
        }
        List<NumberRecord> stored;
        try {
            stored = store.numbers().saveAll(readings.stream().map(ClassifiedNumber::record).toList());
        } catch (RuntimeException e) {
            jobs.forEach(job -> job.fail(e));
            return;
        }
        for (int i = 0; i < jobs.size(); i++) {
            ClassifiedNumber reading = readings.get(i);
            jobs.get(i).result().complete(new ClassifiedNumber(stored.get(i), reading.queueMicros(),
                    reading.inferenceMicros()));
        }
    }

    /** One durable save for the whole batch, then the answers: nothing is answered that is not stored. */
    private void storeAndAnswer(List<DigitJob> jobs, List<Classified> results) {
        if (jobs.isEmpty()) {
            return;
        }
        List<PredictionRecord> stored;
        try {
            stored = store.saveAll(results.stream().map(Classified::record).toList());
        } catch (RuntimeException e) {
            jobs.forEach(job -> job.fail(e));
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
