package dev.stratus.server.kafka;

import dev.stratus.core.model.Model;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner;
import dev.stratus.server.models.VersionMeters;
import dev.stratus.server.store.PredictionStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference worker: one member of the {@code stratus-workers} consumer group, in three pieces
 * (the seams of Spring Kafka's listener container, error handler and recoverer): this loop polls
 * and commits, the {@link InFlightLedger} knows what may be committed and where to rewind, and
 * the {@link BatchHandler} turns each polled micro-batch into its effects (dead letters, one
 * classification, one bulk write, the replies). At least once, with idempotent effects; a bad
 * message never stops the loop; a store outage pauses consumption until the store is back.
 *
 * <p>Batches are pipelined: while one batch is being stored and answered, the loop already polls
 * and classifies the next, up to {@value #MAX_BATCHES_IN_FLIGHT} in flight. Offsets are committed
 * (asynchronously) strictly in poll order, and only for finished batches, so a crash at any point
 * redelivers, never skips. When partitions move to another worker, the batches holding them are
 * finished and committed first (the rebalance listener), so their replies are not sent twice.
 */
public final class InferenceWorker implements Runnable, AutoCloseable {
    public static final String GROUP = "stratus-workers";
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);
    /** Batches polled but not yet committed, at most this many; then consumption pauses. */
    static final int MAX_BATCHES_IN_FLIGHT = 4;
    /** Concurrent bulk writes to the store. */
    private static final int STORE_THREADS = 2;
    /**
     * Finished batches' offsets are committed at most this often: each commit is a replicated
     * write to __consumer_offsets, and one per batch made it a broker request per few predictions.
     * A crash redelivers at most this much more work (effects are idempotent).
     */
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
    /**
     * Under load, a poll's records are gathered with the next polls' for at most this long (or
     * until the batch is full) before they are handled as one batch: one bulk write, one reply
     * request per gateway and one classification for several fetches. At 100 requests/s a poll
     * holds one or two; each batch costs CouchDB and Kafka a request whatever its size.
     */
    static final Duration GATHER_WINDOW = Duration.ofMillis(50);
    /** Records polled less than this long after the previous ones mean load: gather. Otherwise (a lone request) not. */
    static final Duration BUSY_GAP = Duration.ofMillis(50);
    /** How long a rebalance waits for the batches of the partitions it takes away. */
    private static final Duration REVOKE_GRACE = Duration.ofSeconds(10);

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final ExecutorService storeExecutor;
    private final BatchHandler handler;
    private final WorkerMetrics metrics;
    private final InFlightLedger ledger = new InFlightLedger();
    /** Offsets of finished batches not committed yet (see {@link #COMMIT_INTERVAL}). */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private long lastCommitNanos = System.nanoTime();
    private long lastRecordsNanos = System.nanoTime() - BUSY_GAP.toNanos();
    private final int maxBatch;
    private boolean pausedForBackpressure;
    private volatile boolean running = true;
    private volatile boolean polling;

    /** A worker on its own clients (tests pass Kafka's MockConsumer and MockProducer). */
    InferenceWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, Model model,
                    PredictionStore store, MeterRegistry registry) {
        this(consumer, producer, model, store, 64, registry);
    }

    /** As above, gathering at most {@code maxBatch} records into one batch. */
    InferenceWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, Model model,
                    PredictionStore store, int maxBatch, MeterRegistry registry) {
        this(consumer, producer, new ModelRouter(model), store, maxBatch, registry);
    }

    /** As above, each batch on what {@code router} routes to (the caller closes the router after the worker). */
    InferenceWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, ModelRouter router,
                    PredictionStore store, int maxBatch, MeterRegistry registry) {
        this(consumer, producer, router, new VersionMeters(registry), null, store, maxBatch, registry);
    }

    /** As above, counting each version in {@code versions} and running a routed shadow on {@code shadows} (null: not run). */
    InferenceWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, ModelRouter router,
                    VersionMeters versions, ShadowRunner shadows, PredictionStore store, int maxBatch,
                    MeterRegistry registry) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be at least 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.consumer = consumer;
        this.producer = producer;
        this.metrics = WorkerMetrics.of(registry);
        AtomicInteger threads = new AtomicInteger();
        this.storeExecutor = Executors.newFixedThreadPool(STORE_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "worker-store-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.handler = new BatchHandler(router, versions, shadows, store, producer, storeExecutor, metrics,
                () -> running);
    }

    /** A worker connected to the cluster of {@code settings}, the shared topics created if missing. */
    public static InferenceWorker connect(KafkaSettings settings, String workerId, Model model, PredictionStore store,
                                          int maxBatch, MeterRegistry registry) {
        return connect(settings, workerId, new ModelRouter(model), store, maxBatch, registry);
    }

    /** As above, each batch on what {@code router} routes to (a {@link ModelFollower} may swap it). */
    public static InferenceWorker connect(KafkaSettings settings, String workerId, ModelRouter router,
                                          PredictionStore store, int maxBatch, MeterRegistry registry) {
        return connect(settings, workerId, router, new VersionMeters(registry), null, store, maxBatch, registry);
    }

    /** As above, each version counted in {@code versions}, a routed shadow run on {@code shadows} (null: not run). */
    public static InferenceWorker connect(KafkaSettings settings, String workerId, ModelRouter router,
                                          VersionMeters versions, ShadowRunner shadows, PredictionStore store,
                                          int maxBatch, MeterRegistry registry) {
        try (TopicAdmin admin = new TopicAdmin(settings, "worker-" + workerId)) {
            admin.ensureShared();
        }
        Properties consumerProps = settings.common("worker-" + workerId);
        consumerProps.put("group.id", GROUP);
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("max.poll.records", Integer.toString(maxBatch));
        consumerProps.put("fetch.max.wait.ms", KafkaPipeline.IDLE_FETCH_WAIT_MS);
        consumerProps.put("partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        consumerProps.put("session.timeout.ms", Long.toString(settings.sessionTimeout().toMillis()));
        consumerProps.putIfAbsent("heartbeat.interval.ms", "2000");
        return new InferenceWorker(
                new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(KafkaPipeline.producerProperties(settings, "worker-" + workerId + "-out"),
                        new StringSerializer(), new ByteArraySerializer()),
                router, versions, shadows, store, maxBatch, registry);
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(Topics.REQUESTS), new Rebalances());
        try {
            while (running) {
                polling = true;
                apply(ledger.advance());
                applyBackpressure();
                // While batches are in flight or offsets wait, come back soon to commit them.
                boolean idle = ledger.isEmpty() && uncommitted.isEmpty();
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(idle ? 200 : 10));
                if (!records.isEmpty()) {
                    records = gather(records);
                    if (!records.isEmpty()) {
                        handler.handle(records, ledger.register(records).done());
                    }
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

    /**
     * {@code first} with what the next polls bring within {@link #GATHER_WINDOW}, when records
     * arrive back to back (see {@link #BUSY_GAP}); a lone request is handled at once. Records of
     * partitions that a rebalance took away meanwhile are dropped: never handled, never committed,
     * they are the new owner's.
     */
    private ConsumerRecords<String, byte[]> gather(ConsumerRecords<String, byte[]> first) {
        long now = System.nanoTime();
        boolean busy = now - lastRecordsNanos < BUSY_GAP.toNanos();
        lastRecordsNanos = now;
        if (!busy || first.count() >= maxBatch) {
            return first;
        }
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> gathered = new HashMap<>();
        add(gathered, first);
        int count = first.count();
        long deadline = now + GATHER_WINDOW.toNanos();
        for (long left = deadline - now; running && count < maxBatch && left > 0; left = deadline - System.nanoTime()) {
            ConsumerRecords<String, byte[]> more = consumer.poll(Duration.ofNanos(left));
            add(gathered, more);
            count += more.count();
        }
        gathered.keySet().retainAll(consumer.assignment());
        return new ConsumerRecords<>(gathered, Map.of());
    }

    private static void add(Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> gathered,
                            ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            gathered.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records.records(partition));
        }
    }

    /** Commits what the ledger allows; after a failed batch, reads its partitions again from its first offsets. */
    private void apply(InFlightLedger.Progress progress) {
        uncommitted.putAll(progress.commit());
        if (progress.failed() || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL.toNanos()) {
            commitAsync(takeUncommitted());
        }
        if (progress.failed()) {
            metrics.rewinds().increment();
            LOG.error("a batch failed; it and every batch polled after it will be processed again", progress.failure());
            progress.rewind().forEach((partition, offset) -> {
                if (consumer.assignment().contains(partition)) {
                    consumer.seek(partition, offset);
                }
            });
            sleep(500);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> takeUncommitted() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(uncommitted);
        uncommitted.clear();
        lastCommitNanos = System.nanoTime();
        return offsets;
    }

    private void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
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

    /** Pauses consumption while {@value #MAX_BATCHES_IN_FLIGHT} batches are in flight (a slow or absent store). */
    private void applyBackpressure() {
        if (ledger.size() >= MAX_BATCHES_IN_FLIGHT) {
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
     * Before partitions move: the batches holding them finish (bounded), and what is finished is
     * committed synchronously, so the next owner neither repeats their replies nor their writes.
     */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || (ledger.isEmpty() && uncommitted.isEmpty())) {
                return;
            }
            InFlightLedger.Progress progress = ledger.settle(partitions, REVOKE_GRACE);
            // Until this callback returns, the revoked partitions are still ours to commit.
            Set<TopicPartition> owned = new HashSet<>(consumer.assignment());
            owned.addAll(partitions);
            uncommitted.putAll(progress.commit());
            commitSync(takeUncommitted(), owned, "before a rebalance");
            if (progress.failed()) {
                apply(progress);
            }
            ledger.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // nothing to do: positions come from the committed offsets
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Already someone else's: nothing may be committed for them.
            ledger.forget(partitions);
            uncommitted.keySet().removeAll(partitions);
        }
    }

    /** On the way out: lets the batches in flight finish (a few seconds at most), commits them. */
    private void drain() {
        InFlightLedger.Progress progress = ledger.settle(consumer.assignment(), REVOKE_GRACE);
        uncommitted.putAll(progress.commit());
        commitSync(takeUncommitted(), consumer.assignment(), "on the way out");
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> owned, String when) {
        offsets.keySet().retainAll(owned);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("offsets not committed {} ({}); they will be processed again", when, e.getMessage());
            }
        }
    }

    static void sleep(long millis) {
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
