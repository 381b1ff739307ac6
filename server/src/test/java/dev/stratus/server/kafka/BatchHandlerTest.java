package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Digits;
import dev.stratus.server.store.MemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handler with the shipped model, Kafka's MockProducer and an in-memory store. */
class BatchHandlerTest {
    private static Model model;
    private static ExecutorService storeThreads;
    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final MemoryStore store = new MemoryStore();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void load() throws Exception {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        storeThreads = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void close() {
        storeThreads.shutdownNow();
        model.close();
    }

    private BatchHandler handler(Executor executor) {
        return new BatchHandler(new dev.stratus.server.models.ModelRouter(model),
                new dev.stratus.server.models.VersionMeters(registry), null, store, producer, executor,
                WorkerMetrics.of(registry), () -> true);
    }

    @Test
    void classifies_stores_and_answers_each_request_once_then_completes() throws Exception {
        List<ConsumerRecord<String, byte[]>> requests = List.of(WorkerFixtures.request(0, 0, 0),
                WorkerFixtures.request(0, 1, 1), WorkerFixtures.request(1, 0, 2));
        CompletableFuture<Void> done = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(requests), done);
        done.get(10, TimeUnit.SECONDS);

        assertThat(store.records).containsOnlyKeys("req-0-0", "req-0-1", "req-1-0");
        assertThat(store.records.get("req-0-0").digit()).isEqualTo(Digits.label(0));
        assertThat(store.records.get("req-1-0").digit()).isEqualTo(Digits.label(2));
        assertThat(producer.history()).hasSize(3).allSatisfy(reply -> {
            assertThat(reply.topic()).isEqualTo(Topics.repliesFor("gw1"));
            assertThat(new String(reply.headers().lastHeader(Topics.CORRELATION_ID).value(), StandardCharsets.UTF_8))
                    .isEqualTo(reply.key());
        });
        assertThat(registry.get("stratus.worker.processed").counter().count()).isEqualTo(3);
        assertThat(registry.get("stratus.worker.batch.size").summary().max()).isEqualTo(3);
    }

    @Test
    void an_undecodable_request_goes_to_the_dead_letter_topic_with_its_reason() throws Exception {
        ConsumerRecord<String, byte[]> bad = new ConsumerRecord<>(Topics.REQUESTS, 0, 1, "req-bad", new byte[]{9, 9});
        CompletableFuture<Void> done = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0), bad)), done);
        done.get(10, TimeUnit.SECONDS);

        ProducerRecord<String, byte[]> dead = producer.history().stream()
                .filter(r -> r.topic().equals(Topics.DEAD_LETTERS)).findFirst().orElseThrow();
        assertThat(dead.key()).isEqualTo("req-bad");
        assertThat(dead.headers().lastHeader(Topics.DLQ_SOURCE).value()).asString(StandardCharsets.UTF_8)
                .isEqualTo(Topics.REQUESTS + "-0@1");
        assertThat(store.records).containsOnlyKeys("req-0-0");
        assertThat(registry.get("stratus.worker.dead.letters").counter().count()).isEqualTo(1);
    }

    @Test
    void a_send_that_throws_fails_the_batch_instead_of_leaving_it_in_flight() throws Exception {
        producer.sendException = new KafkaException("producer closed");
        CompletableFuture<Void> done = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0))), done);
        assertThat(done).failsWithin(10, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("producer closed");
    }

    @Test
    void a_refused_hand_off_to_the_store_fails_the_batch_instead_of_leaving_it_in_flight() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Executor refusing = task -> {
            throw new RejectedExecutionException("store threads stopped");
        };
        handler(refusing).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0))), done);
        assertThat(done).isCompletedExceptionally();
        assertThat(producer.history()).as("no reply for what was not stored").isEmpty();
    }

    @Test
    @Timeout(30)
    void a_store_outage_is_retried_and_nothing_is_answered_before_it_is_stored() throws Exception {
        store.down = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0))), done);
        while (store.failedWrites < 2) {
            Thread.sleep(20);
        }
        assertThat(done).isNotDone();
        assertThat(producer.history()).isEmpty();
        store.down = false;
        done.get(10, TimeUnit.SECONDS);
        assertThat(store.records).containsOnlyKeys("req-0-0");
        assertThat(producer.history()).hasSize(1);
        assertThat(registry.get("stratus.worker.store.retries").counter().count()).isGreaterThanOrEqualTo(2);
    }

    /**
     * Fails on the handler before it: a redelivered request was classified again and answered
     * with the new record (its own createdAt), while the store kept the first one.
     */
    @Test
    void a_redelivered_request_is_answered_with_the_record_stored_the_first_time() throws Exception {
        CompletableFuture<Void> first = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0))), first);
        first.get(10, TimeUnit.SECONDS);
        var stored = store.records.get("req-0-0");
        Thread.sleep(5); // a later clock reading for the second delivery

        CompletableFuture<Void> again = new CompletableFuture<>();
        handler(storeThreads).handle(WorkerFixtures.batch(List.of(WorkerFixtures.request(0, 0, 0))), again);
        again.get(10, TimeUnit.SECONDS);

        assertThat(producer.history()).hasSize(2);
        DigitMessages.Reply reply = DigitMessages.reply(producer.history().get(1).value());
        assertThat(reply.createdAt()).isEqualTo(stored.createdAt().toString());
        assertThat(reply.probabilities()).isEqualTo(stored.probabilities());
        assertThat(store.records.get("req-0-0")).isSameAs(stored);
        assertThat(registry.get("stratus.worker.redelivered").counter().count()).isEqualTo(1);
    }
}
