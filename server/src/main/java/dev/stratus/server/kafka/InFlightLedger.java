package dev.stratus.server.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The batches a worker has polled but not committed, in poll order: which offsets may be
 * committed (those of finished batches, strictly in poll order, so that a crash redelivers and
 * never skips) and where to rewind when a batch failed (its first offsets and those of every batch
 * polled after it). Used by the polling thread only; batches complete on any thread.
 */
final class InFlightLedger {
    /** One polled batch: offsets to commit once it is done, offsets to rewind to, its completion. */
    record Batch(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Long> firstOffsets,
                 CompletableFuture<Void> done) {
    }

    /**
     * What the finished head of the ledger allows: offsets to commit, and, when a batch failed,
     * where each of its partitions (and those of the batches after it) must be read again.
     */
    record Progress(Map<TopicPartition, OffsetAndMetadata> commit, Map<TopicPartition, Long> rewind, Throwable failure) {
        boolean failed() {
            return failure != null;
        }
    }

    private final Deque<Batch> batches = new ArrayDeque<>();

    /** A new batch for {@code records}, last in poll order. */
    Batch register(ConsumerRecords<?, ?> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<? extends ConsumerRecord<?, ?>> list = records.records(partition);
            firstOffsets.put(partition, list.get(0).offset());
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        Batch batch = new Batch(offsets, firstOffsets, new CompletableFuture<>());
        batches.addLast(batch);
        return batch;
    }

    int size() {
        return batches.size();
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /**
     * Takes the finished batches off the head, in poll order, up to the first unfinished one. If
     * the head failed, the ledger is cleared and the progress says where to rewind.
     */
    Progress advance() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        while (!batches.isEmpty() && batches.peekFirst().done().isDone()) {
            Batch batch = batches.peekFirst();
            if (batch.done().isCompletedExceptionally()) {
                Map<TopicPartition, Long> rewind = new HashMap<>();
                for (Batch later : batches) {
                    later.firstOffsets().forEach((partition, offset) -> rewind.merge(partition, offset, Math::min));
                }
                Throwable failure = batch.done().handle((ok, e) -> e).join();
                batches.clear();
                return new Progress(commit, rewind, failure);
            }
            batches.removeFirst();
            commit.putAll(batch.offsets());
        }
        return new Progress(commit, Map.of(), null);
    }

    /**
     * Waits at most {@code bound} for the batches holding any of {@code partitions} to finish
     * (before those partitions move to another worker), then {@link #advance()}s.
     */
    Progress settle(Collection<TopicPartition> partitions, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Batch batch : batches) {
            if (partitions.stream().noneMatch(batch.offsets()::containsKey)) {
                continue;
            }
            try {
                batch.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                break;   // advance() reports a failure; a batch still running is not committed
            }
        }
        return advance();
    }

    /** Drops {@code partitions} from every batch: they moved to another worker, their offsets are not ours. */
    void forget(Collection<TopicPartition> partitions) {
        for (Batch batch : batches) {
            batch.offsets().keySet().removeAll(partitions);
            batch.firstOffsets().keySet().removeAll(partitions);
        }
    }
}
