package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.store.MemoryStore;
import dev.stratus.server.store.PredictionRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker's loop on Kafka's MockConsumer and MockProducer: commits and rebalances. */
class InferenceWorkerTest {
    private static final TopicPartition P0 = new TopicPartition(Topics.REQUESTS, 0);
    private static final TopicPartition P1 = new TopicPartition(Topics.REQUESTS, 1);
    private static Model model;

    /** Every offset committed, synchronously or not (MockConsumer answers committed() only for assigned partitions). */
    private final Map<TopicPartition, OffsetAndMetadata> commits = new java.util.concurrent.ConcurrentHashMap<>();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, java.time.Duration timeout) {
            commits.putAll(offsets);
            super.commitSync(offsets, timeout);
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            commits.putAll(offsets);
            super.commitAsync(offsets, callback);
        }
    };
    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());

    @BeforeAll
    static void load() throws Exception {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A store whose writes wait until released, so that a batch is in flight when partitions move. */
    private static final class GatedStore extends MemoryStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public List<PredictionRecord> saveAll(List<PredictionRecord> batch) {
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.saveAll(batch);
        }
    }

    @Test
    @Timeout(60)
    void a_batch_in_flight_when_its_partition_moves_is_finished_and_committed_first() throws Exception {
        GatedStore store = new GatedStore();
        InferenceWorker worker = new InferenceWorker(consumer, producer, model, store, new SimpleMeterRegistry());
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            for (int offset = 0; offset < 5; offset++) {
                consumer.addRecord(WorkerFixtures.request(1, offset, offset));
            }
        });
        CountDownLatch moved = new CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            await(store.entered);
            // The store answers a moment after the rebalance has begun to wait for it.
            new Thread(() -> {
                InferenceWorker.sleep(300);
                store.release.countDown();
            }).start();
            consumer.rebalance(List.of(P0));
            moved.countDown();
        });
        Thread loop = new Thread(worker, "worker-under-test");
        loop.start();
        assertThat(moved.await(30, TimeUnit.SECONDS)).isTrue();
        consumer.schedulePollTask(worker::close);
        loop.join(30_000);

        assertThat(commits.get(P1)).as("P1's batch committed before P1 moved").isEqualTo(new OffsetAndMetadata(5));
        assertThat(producer.history()).as("each request answered once").hasSize(5);
        assertThat(store.records).hasSize(5);
    }

    @Test
    @Timeout(60)
    void finished_batches_are_committed_at_most_once_per_commit_interval() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asyncCommits = new java.util.concurrent.atomic.AtomicInteger();
        MockConsumer<String, byte[]> counting = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                 org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
                asyncCommits.incrementAndGet();
                commits.putAll(offsets);
                super.commitAsync(offsets, callback);
            }
        };
        InferenceWorker worker = new InferenceWorker(counting, producer, model, new MemoryStore(), new SimpleMeterRegistry());
        int batches = 20;
        counting.schedulePollTask(() -> {
            counting.rebalance(List.of(P0));
            counting.updateBeginningOffsets(Map.of(P0, 0L));
            counting.addRecord(WorkerFixtures.request(0, 0, 0));
        });
        // One record per poll, each once the one before it is answered or 5 ms have passed (a
        // gathering worker answers it later): without the interval, each would be committed alone.
        for (int offset = 1; offset < batches; offset++) {
            int next = offset;
            counting.schedulePollTask(() -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (producer.history().size() < next && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                counting.addRecord(WorkerFixtures.request(0, next, next));
            });
        }
        Thread loop = new Thread(worker, "worker-under-test");
        long start = System.nanoTime();
        loop.start();
        long deadline = start + TimeUnit.SECONDS.toNanos(20);
        while (!new OffsetAndMetadata(batches).equals(commits.get(P0)) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        long elapsed = System.nanoTime() - start;
        worker.close();
        loop.join(30_000);

        assertThat(commits.get(P0)).as("every batch committed in the end").isEqualTo(new OffsetAndMetadata(batches));
        assertThat(producer.history()).as("each request answered once").hasSize(batches);
        long intervals = elapsed / InferenceWorker.COMMIT_INTERVAL.toNanos();
        assertThat(asyncCommits.get()).as("commits of %d batches finished in %d ms", batches, elapsed / 1_000_000)
                .isLessThanOrEqualTo((int) intervals + 1);
    }

    @Test
    @Timeout(60)
    void records_arriving_back_to_back_are_gathered_into_one_batch_and_a_lone_one_is_not() throws Exception {
        InferenceWorker worker = new InferenceWorker(consumer, producer, model, new MemoryStore(), 64,
                new SimpleMeterRegistry());
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
            consumer.addRecord(WorkerFixtures.request(0, 0, 0));
        });
        // Five more, one per poll and back to back: within the gathering window of the second.
        for (int offset = 1; offset < 6; offset++) {
            int next = offset;
            consumer.schedulePollTask(() -> consumer.addRecord(WorkerFixtures.request(0, next, next)));
        }
        Thread loop = new Thread(worker, "worker-under-test");
        loop.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (producer.history().size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        worker.close();
        loop.join(30_000);

        assertThat(producer.history()).as("each request answered once").hasSize(6);
        List<Integer> batchSizes = new java.util.ArrayList<>();
        for (var reply : producer.history()) {
            batchSizes.add(DigitMessages.reply(reply.value()).batchSize());
        }
        assertThat(batchSizes.get(0)).as("the first, alone, is not held back").isEqualTo(1);
        assertThat(batchSizes.subList(1, 6)).as("the next five, back to back, form one batch").containsOnly(5);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the batch never reached the store");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
