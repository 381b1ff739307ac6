package dev.stratus.server.kafka;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference worker: one member of the {@code stratus-workers} consumer group. Each poll is a
 * micro-batch: undecodable messages go to the dead-letter topic, the rest are classified in one
 * call, stored (one bulk write; a redelivered request overwrites nothing), answered on the
 * gateway's reply topic, and only then committed. At least once, with idempotent effects; a bad
 * message never stops the loop; a store outage pauses consumption until the store is back.
 *
 * <p>Batches are pipelined: while one batch is being stored and answered (network waits of tens
 * of milliseconds), the loop already polls and classifies the next, and up to
 * {@value #MAX_BATCHES_IN_FLIGHT} batches are in flight, their bulk writes concurrent. Offsets
 * are committed (asynchronously) strictly in poll order, and only for batches whose predictions
 * are stored and whose replies and dead letters Kafka has acknowledged, so a crash at any point
 * redelivers, never skips.
 */
public final class InferenceWorker implements Runnable, AutoCloseable {
    public static final String GROUP = "stratus-workers";
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Model model;
    private final PredictionStore store;
    private final Counter processed;
    private final Counter deadLetters;
    private final Counter storeRetries;
    /** Batches polled but not yet committed, at most this many; then consumption pauses. */
    static final int MAX_BATCHES_IN_FLIGHT = 4;
    /** Concurrent bulk writes to the store. */
    private static final int STORE_THREADS = 2;

    private final ExecutorService storeExecutor;
    /** Polled batches in poll order; only the polling thread touches it. */
    private final Deque<Batch> inFlight = new ArrayDeque<>();
    private boolean pausedForBackpressure;
    private volatile boolean running = true;
    private volatile boolean polling;

    public InferenceWorker(KafkaSettings settings, String workerId, Model model, PredictionStore store, int maxBatch,
                           MeterRegistry registry) {
        this.model = model;
        this.store = store;
        try (TopicAdmin admin = new TopicAdmin(settings, "worker-" + workerId)) {
            admin.ensureShared();
        }
        Properties consumerProps = settings.common("worker-" + workerId);
        consumerProps.put("group.id", GROUP);
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("max.poll.records", Integer.toString(maxBatch));
        // A fetch returns as soon as a record is there (fetch.min.bytes 1): the wait only bounds
        // idle fetches, which at a few milliseconds cost the brokers most of a core for nothing.
        consumerProps.put("fetch.max.wait.ms", "500");
        consumerProps.put("partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        // A dead worker's partitions move after 10 s instead of the default 45 s (overridable by
        // STRATUS_KAFKA_SESSION_TIMEOUT_MS).
        consumerProps.putIfAbsent("session.timeout.ms", "10000");
        consumerProps.putIfAbsent("heartbeat.interval.ms", "2000");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaPipeline.producerProperties(settings, "worker-" + workerId + "-out"),
                new StringSerializer(), new ByteArraySerializer());
        this.processed = Counter.builder("stratus.worker.processed").register(registry);
        this.deadLetters = Counter.builder("stratus.worker.dead.letters").register(registry);
        this.storeRetries = Counter.builder("stratus.worker.store.retries").register(registry);
        AtomicInteger threads = new AtomicInteger();
        this.storeExecutor = Executors.newFixedThreadPool(STORE_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "worker-store-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * One polled batch: the offsets to commit once it is done, and its completion (predictions
     * stored, replies and dead letters acknowledged by Kafka).
     */
    private record Batch(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Long> firstOffsets,
                         CompletableFuture<Void> done) {
    }

    /** A decoded request: where it came from and where its answer goes. */
    private record Job(ConsumerRecord<String, byte[]> record, String id, DigitImage image, String replyTo) {
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(Topics.REQUESTS));
        try {
            while (running) {
                polling = true;
                commitFinished();
                applyBackpressure();
                // While batches are in flight, come back soon to commit them.
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(inFlight.isEmpty() ? 200 : 10));
                if (!records.isEmpty()) {
                    processOrRewind(records);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop; batches in flight are finished below or not committed.
        } finally {
            polling = false;
            drain();
            storeExecutor.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Pauses consumption while {@value #MAX_BATCHES_IN_FLIGHT} batches are in flight (a slow or absent store). */
    private void applyBackpressure() {
        if (inFlight.size() >= MAX_BATCHES_IN_FLIGHT) {
            // Paused polling keeps this member in the group without taking new work (again after
            // each poll: a rebalance may have brought partitions that are not paused yet).
            consumer.pause(consumer.assignment());
            pausedForBackpressure = true;
        } else if (pausedForBackpressure) {
            consumer.resume(consumer.paused());
            pausedForBackpressure = false;
        }
    }

    /**
     * Commits, in poll order, every batch that is done; a batch that failed (not the store being
     * down: that is retried until it is back) rewinds its partitions and everything polled after
     * it, to be processed again.
     */
    private void commitFinished() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        while (!inFlight.isEmpty() && inFlight.peekFirst().done().isDone()) {
            Batch batch = inFlight.peekFirst();
            if (batch.done().isCompletedExceptionally()) {
                rewindFrom(batch);
                break;
            }
            inFlight.removeFirst();
            offsets.putAll(batch.offsets());
        }
        // A partition that moved to another worker meanwhile is no longer ours to commit.
        offsets.keySet().retainAll(consumer.assignment());
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    // Harmless: a later commit covers these offsets, or the next owner processes
                    // the records again (idempotent effects).
                    LOG.warn("offsets not committed: {}", failure.getMessage());
                }
            });
        }
    }

    private void rewindFrom(Batch failed) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (Batch batch : inFlight) {
            batch.firstOffsets().forEach((partition, offset) -> first.merge(partition, offset, Math::min));
        }
        LOG.error("a batch failed; it and the {} polled after it will be processed again", inFlight.size() - 1,
                failed.done().handle((ok, e) -> e).join());
        inFlight.clear();
        first.forEach((partition, offset) -> {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
        sleep(500);
    }

    /** On the way out: lets the batches in flight finish (a few seconds at most), commits them. */
    private void drain() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Batch batch : inFlight) {
            try {
                batch.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Batch batch : inFlight) {
            if (!batch.done().isDone() || batch.done().isCompletedExceptionally()) {
                break;
            }
            offsets.putAll(batch.offsets());
        }
        inFlight.clear();
        offsets.keySet().retainAll(consumer.assignment());
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("offsets not committed on the way out ({}); they will be processed again", e.getMessage());
            }
        }
    }

    /**
     * A failure that is not the message's fault (a rebalance, a broker moving) must neither stop
     * the loop nor skip the batch: rewind to its first offsets and take it again.
     */
    private void processOrRewind(ConsumerRecords<String, byte[]> records) {
        try {
            process(records);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("a batch of {} failed; it will be processed again", records.count(), e);
            for (TopicPartition partition : records.partitions()) {
                if (consumer.assignment().contains(partition)) {
                    consumer.seek(partition, records.records(partition).get(0).offset());
                }
            }
            sleep(500);
        }
    }

    /**
     * Decodes and classifies on this thread, then hands the batch to a store thread: bulk write,
     * then the replies. The batch is done when Kafka has acknowledged every reply and dead letter.
     */
    void process(ConsumerRecords<String, byte[]> records) {
        List<Job> jobs = new ArrayList<>(records.count());
        List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                jobs.add(decode(record));
            } catch (IllegalArgumentException e) {
                deadLetters.add(deadLetter(record, e.getMessage()));
            }
        }
        long start = System.nanoTime();
        List<Prediction> predictions = jobs.isEmpty() ? List.of()
                : model.classifier().classifyBatch(jobs.stream().map(Job::image).toList());
        long inferenceMicros = (System.nanoTime() - start) / 1_000;
        Instant now = Instant.now();
        List<PredictionRecord> results = new ArrayList<>(jobs.size());
        List<ProducerRecord<String, byte[]>> replies = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            Prediction p = predictions.get(i);
            results.add(new PredictionRecord(job.id(), now, model.version(), p.digit(), p.probabilities(),
                    job.image().toUnsignedBytes(), null, null));
            if (job.replyTo() != null) {
                long queueMicros = Math.max(0, (now.toEpochMilli() - job.record().timestamp()) * 1_000);
                DigitMessages.Reply reply = new DigitMessages.Reply(job.id(), p.digit(), p.probabilities(),
                        model.version(), queueMicros, inferenceMicros, jobs.size());
                ProducerRecord<String, byte[]> out = new ProducerRecord<>(job.replyTo(), job.id(), DigitMessages.reply(reply));
                out.headers().add(Topics.CORRELATION_ID, job.id().getBytes(StandardCharsets.UTF_8));
                replies.add(out);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(partition);
            firstOffsets.put(partition, list.get(0).offset());
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        Batch batch = new Batch(offsets, firstOffsets, new CompletableFuture<>());
        inFlight.addLast(batch);
        // Dead letters need no store: sent now; the batch waits for their acknowledgement too.
        Acknowledgements acks = new Acknowledgements(deadLetters.size() + replies.size(), batch.done(),
                () -> processed.increment(jobs.size()));
        deadLetters.forEach(out -> producer.send(out, acks));
        if (results.isEmpty()) {
            return;
        }
        storeExecutor.execute(() -> {
            try {
                if (!storeUntilDone(results)) {
                    batch.done().completeExceptionally(new StoreException("stopped before the batch was stored", null));
                    return;
                }
                replies.forEach(out -> producer.send(out, acks));
            } catch (RuntimeException e) {
                batch.done().completeExceptionally(e);
            }
        });
    }

    /** Completes a batch once every one of its sends is acknowledged (or failed: see below). */
    private static final class Acknowledgements implements Callback {
        private final AtomicInteger remaining;
        private final CompletableFuture<Void> done;
        private final Runnable onDone;

        Acknowledgements(int sends, CompletableFuture<Void> done, Runnable onDone) {
            this.remaining = new AtomicInteger(sends);
            this.done = done;
            this.onDone = onDone;
            if (sends == 0) {
                finish();
            }
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception failure) {
            if (failure != null) {
                // As before: a reply Kafka refused after its delivery timeout is lost, the request
                // times out at its gateway; the prediction is stored, the batch is not repeated.
                LOG.warn("a reply or dead letter was not delivered: {}", failure.getMessage());
            }
            if (remaining.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() {
            onDone.run();
            done.complete(null);
        }
    }

    private Job decode(ConsumerRecord<String, byte[]> record) {
        String id = header(record, Topics.CORRELATION_ID);
        if (id == null) {
            id = record.key();
        }
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("no usable request id");
        }
        String replyTo = header(record, Topics.REPLY_TO);
        if (replyTo != null && !replyTo.startsWith(Topics.REPLIES_PREFIX)) {
            throw new IllegalArgumentException("reply-to '" + replyTo + "' is not a reply topic");
        }
        return new Job(record, id, DigitMessages.image(record.value()), replyTo);
    }

    /**
     * Stores the batch, retrying with backoff while the store is down (the polling thread pauses
     * consumption meanwhile: the batches in flight fill up); false if stopped meanwhile.
     */
    private boolean storeUntilDone(List<PredictionRecord> results) {
        long backoff = 200;
        while (true) {
            try {
                store.saveAll(results);
                return true;
            } catch (StoreException e) {
                storeRetries.increment();
                LOG.warn("storing {} predictions failed ({}); retrying in {} ms, not committing", results.size(),
                        e.getMessage(), backoff);
                if (!running) {
                    return false;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.increment();
        LOG.warn("dead letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTERS, record.key(), record.value());
        for (Header h : record.headers()) {
            out.headers().add(h);
        }
        out.headers().add(Topics.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.DLQ_SOURCE, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean ready() {
        return running && polling;
    }

    /** Finishes the current batch, commits, leaves the group. Call from another thread. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
