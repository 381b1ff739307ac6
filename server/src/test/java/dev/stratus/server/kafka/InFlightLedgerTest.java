package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InFlightLedgerTest {
    private static final TopicPartition P0 = new TopicPartition(Topics.REQUESTS, 0);
    private static final TopicPartition P1 = new TopicPartition(Topics.REQUESTS, 1);
    private final InFlightLedger ledger = new InFlightLedger();

    private InFlightLedger.Batch batch(int partition, long from, long to) {
        return ledger.register(WorkerFixtures.batch(java.util.stream.LongStream.rangeClosed(from, to)
                .mapToObj(offset -> WorkerFixtures.request(partition, offset, 0)).toList()));
    }

    @Test
    void commits_finished_batches_strictly_in_poll_order() {
        InFlightLedger.Batch first = batch(0, 0, 4);
        InFlightLedger.Batch second = batch(0, 5, 9);
        second.done().complete(null);
        assertThat(ledger.advance().commit()).as("the later batch waits for the earlier one").isEmpty();

        first.done().complete(null);
        assertThat(ledger.advance().commit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void a_failed_batch_rewinds_itself_and_everything_polled_after_it() {
        InFlightLedger.Batch done = batch(0, 0, 4);
        InFlightLedger.Batch failed = batch(0, 5, 9);
        batch(1, 0, 3);
        done.done().complete(null);
        failed.done().completeExceptionally(new IllegalStateException("send refused"));

        InFlightLedger.Progress progress = ledger.advance();
        assertThat(progress.commit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(5)));
        assertThat(progress.failed()).isTrue();
        assertThat(progress.failure()).hasMessage("send refused");
        assertThat(progress.rewind()).isEqualTo(Map.of(P0, 5L, P1, 0L));
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void settling_waits_only_for_batches_of_the_moving_partitions_and_forgets_them() {
        InFlightLedger.Batch moving = batch(1, 0, 3);
        InFlightLedger.Batch staying = batch(0, 0, 3);
        new Thread(() -> {
            InferenceWorker.sleep(100);
            moving.done().complete(null);
        }).start();
        InFlightLedger.Progress progress = ledger.settle(Set.of(P1), Duration.ofSeconds(5));
        assertThat(progress.commit()).isEqualTo(Map.of(P1, new OffsetAndMetadata(4)));
        assertThat(ledger.size()).as("the unfinished batch of the partition that stays").isEqualTo(1);

        ledger.forget(List.of(P0));
        staying.done().complete(null);
        assertThat(ledger.advance().commit()).as("a forgotten partition is not ours to commit").isEmpty();
    }

    @Test
    @Timeout(10)
    void settling_is_bounded_when_a_batch_never_finishes() {
        batch(0, 0, 3);
        InFlightLedger.Progress progress = ledger.settle(Set.of(P0), Duration.ofMillis(200));
        assertThat(progress.commit()).isEmpty();
        assertThat(progress.failed()).isFalse();
        assertThat(ledger.size()).isEqualTo(1);
    }
}
