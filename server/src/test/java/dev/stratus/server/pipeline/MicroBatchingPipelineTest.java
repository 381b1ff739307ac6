package dev.stratus.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Digits;
import dev.stratus.server.store.MemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    void a_burst_is_classified_in_batches_with_the_right_answers() throws Exception {
        MemoryStore store = new MemoryStore();
        try (MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, store, 1000, 64, Duration.ofMillis(2),
                new SimpleMeterRegistry())) {
            List<CompletableFuture<Classified>> results = new ArrayList<>();
            for (int i = 0; i < digits.size(); i++) {
                results.add(pipeline.submit("r" + i, digits.get(i)));
            }
            int maxBatch = 0;
            int correct = 0;
            for (int i = 0; i < results.size(); i++) {
                Classified classified = results.get(i).get();
                maxBatch = Math.max(maxBatch, classified.batchSize());
                if (classified.record().digit() == Digits.label(i)) {
                    correct++;
                }
                assertThat(classified.record().modelVersion()).isEqualTo(model.version());
                assertThat(store.records.get("r" + i)).as("answered with the record it stored").isEqualTo(classified.record());
            }
            assertThat(maxBatch).isGreaterThan(1).isLessThanOrEqualTo(64);
            assertThat(correct).isGreaterThanOrEqualTo(490);
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
    void a_full_queue_refuses_at_once_and_a_closed_pipeline_refuses_everything() {
        MicroBatchingPipeline pipeline = new MicroBatchingPipeline(model, new MemoryStore(), 1, 1, Duration.ZERO, new SimpleMeterRegistry());
        List<CompletableFuture<Classified>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(pipeline.submit("r" + i, digits.get(i)));
        }
        long refused = results.stream().filter(f -> f.isCompletedExceptionally()).count();
        assertThat(refused).isPositive();
        pipeline.close();
        assertThat(pipeline.submit("late", digits.get(0))).isCompletedExceptionally();
        assertThat(pipeline.ready()).isFalse();
    }
}
