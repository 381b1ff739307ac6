package dev.stratus.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Digits;
import dev.stratus.server.store.MemoryStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MicroBatchingPipelineTest {
    static Model model;
    static List<DigitImage> digits = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        Preprocessor preprocessor = new Preprocessor();
        for (int i = 0; i < 500; i++) {
            digits.add(preprocessor.apply(Digits.mnist().image(i)));
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void a_burst_is_classified_in_full_batches_with_the_right_answers() throws Exception {
        // 7 x 64 images and a batch delay far longer than the burst takes to submit: every batch
        // fills to 64 before it runs, however fast or slow the machine, so the batches are counted.
        int count = 7 * 64;
        MemoryStore store = new MemoryStore();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, store, 1000, 64, Duration.ofSeconds(60),
                registry)) {
            List<CompletableFuture<Classified>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                results.add(pipeline.submit("r" + i, digits.get(i)));
            }
            int correct = 0;
            for (int i = 0; i < results.size(); i++) {
                Classified classified = results.get(i).get();
                assertThat(classified.batchSize()).isEqualTo(64);
                if (classified.record().digit() == Digits.label(i)) {
                    correct++;
                }
                assertThat(classified.record().modelVersion()).isEqualTo(model.version());
                assertThat(store.records.get("r" + i)).as("answered with the record it stored").isEqualTo(classified.record());
            }
            DistributionSummary batches = registry.get("stratus.inference.batch.size").summary();
            assertThat(batches.count()).as("calls to the network").isEqualTo(7);
            assertThat(batches.totalAmount()).isEqualTo(count);
            assertThat(correct).isGreaterThanOrEqualTo(count - 10);
        }
    }

    @Test
    void a_lone_request_is_answered_alone() throws Exception {
        try (MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, new MemoryStore(), 10, 64, Duration.ofNanos(200_000),
                new SimpleMeterRegistry())) {
            Classified classified = pipeline.submit("one", digits.get(0)).get();
            assertThat(classified.batchSize()).isEqualTo(1);
            assertThat(classified.record().digit()).isEqualTo(7);
            assertThat(pipeline.ready()).isTrue();
        }
    }

    @Test
    void a_full_queue_refuses_at_once_and_a_closed_pipeline_refuses_everything() throws Exception {
        // The worker is held after classifying the first image, so the queue of 1 behind it holds
        // exactly one more: of 199 further requests, 198 are refused, on any machine.
        GatedMeterRegistry gate = new GatedMeterRegistry();
        MemoryStore store = new MemoryStore();
        MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, store, 1, 1, Duration.ZERO, gate);
        List<CompletableFuture<Classified>> results = new ArrayList<>();
        try {
            results.add(pipeline.submit("r0", digits.get(0)));
            gate.awaitHeld();
            for (int i = 1; i < 200; i++) {
                results.add(pipeline.submit("r" + i, digits.get(i)));
            }
            List<CompletableFuture<Classified>> refused = results.stream()
                    .filter(CompletableFuture::isCompletedExceptionally).toList();
            assertThat(refused).hasSize(198);
            assertThat(refused.get(0)).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(PipelineFullException.class).withMessageContaining("queue is full");
            assertThat(pipeline.ready()).as("not ready while full").isFalse();
        } finally {
            gate.open();
        }
        assertThat(results.get(0).get().record().id()).isEqualTo("r0");
        assertThat(results.get(1).get().record().id()).isEqualTo("r1");
        assertThat(store.records).containsOnlyKeys("r0", "r1");
        pipeline.close();
        assertThat(pipeline.submit("late", digits.get(0))).isCompletedExceptionally();
        assertThat(pipeline.ready()).isFalse();
    }
}
