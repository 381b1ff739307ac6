package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner.Disagreement;
import dev.stratus.server.models.VersionMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a worker publishes and how a gateway adds workers up; no broker (ModelFollowerTest has one). */
class MeterSnapshotTest {

    @Test
    void a_snapshot_survives_its_json_and_leaves_out_versions_that_answered_nothing() throws IOException {
        VersionMeters meters = new VersionMeters(new SimpleMeterRegistry());
        ModelRouter router = new ModelRouter(Model.loadDefault(OnnxClassifier.Threads.DEFAULT));
        try {
            String version = router.activeVersion();
            meters.answered(version, 3, 2_000_000);
            meters.corrected("old-version");
            MeterSnapshot parsed = MeterSnapshot.parse(MeterSnapshot.of("w1", router, meters, List.of(), 1234).json());

            assertThat(parsed.worker()).isEqualTo("w1");
            assertThat(parsed.at()).isEqualTo(1234);
            assertThat(parsed.active()).isEqualTo(version);
            assertThat(parsed.shadow()).isNull();
            assertThat(parsed.versions()).containsOnlyKeys(version);
            assertThat(((Number) parsed.versions().get(version).get("requests")).longValue()).isEqualTo(3);
            assertThat(parsed.shadows()).isEmpty();
        } finally {
            router.close();
        }
    }

    @Test
    void a_shadow_sends_its_latest_disagreements_and_the_gateway_shows_every_worker_s() throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        VersionMeters meters = new VersionMeters(registry);
        ModelRouter router = new ModelRouter(Model.loadDefault(OnnxClassifier.Threads.DEFAULT));
        try {
            String active = router.activeVersion();
            // As ShadowRunner counts a shadow's comparisons.
            Counter.builder("stratus.model.shadow.compared").tag("version", "v2").register(registry).increment(30);
            Counter.builder("stratus.model.shadow.disagreed").tag("version", "v2").register(registry).increment(25);
            List<Disagreement> seen = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                seen.add(new Disagreement("r" + i, active, 7, "v2", 1));
            }
            seen.add(new Disagreement("other", active, 3, "v3", 8));
            MeterSnapshot parsed = MeterSnapshot.parse(MeterSnapshot.of("w1", router, meters, seen, 1).json());

            List<?> sent = (List<?>) parsed.shadows().get("v2").get("recentDisagreements");
            assertThat(sent).hasSize(MeterSnapshot.DISAGREEMENTS_PER_WORKER);
            assertThat(sent.get(0)).isEqualTo(Map.of("id", "r5", "activeVersion", active, "active", 7,
                    "shadowVersion", "v2", "shadow", 1));
            Map<String, Object> sum = MeterSnapshot.sumShadow("v2", List.of(parsed.shadows().get("v2"),
                    Map.of("compared", 10, "disagreed", 1, "skipped", 0, "recentDisagreements", List.of(Map.of("id", "w2-r")))));
            assertThat((List<?>) sum.get("recentDisagreements")).hasSize(21).last().isEqualTo(Map.of("id", "w2-r"));
        } finally {
            router.close();
        }
    }

    @Test
    void sums_add_counts_weight_the_mean_by_batches_and_keep_the_largest_p99() {
        Map<String, Object> sum = MeterSnapshot.sum(List.of(
                Map.of("requests", 100, "batches", 10, "batchMeanMs", 1.0, "batchP99Ms", 3.0),
                Map.of("requests", 300, "batches", 30, "batchMeanMs", 2.0, "batchP99Ms", 5.0)), 8);

        assertThat(sum).containsEntry("requests", 400L).containsEntry("batches", 40L).containsEntry("corrections", 8L)
                .containsEntry("batchP99Ms", 5.0);
        assertThat((double) sum.get("batchMeanMs")).isEqualTo(1.75);
        assertThat((double) sum.get("correctionShare")).isEqualTo(0.02);
        assertThat(MeterSnapshot.sum(List.of(), 0)).containsEntry("requests", 0L).containsEntry("correctionShare", null)
                .doesNotContainKey("batches");
    }

    @Test
    void shadow_agreement_is_recomputed_from_the_summed_counts() {
        Map<String, Object> sum = MeterSnapshot.sumShadow("v2", List.of(
                Map.of("compared", 90, "disagreed", 9, "skipped", 0), Map.of("compared", 10, "disagreed", 1, "skipped", 4)));

        assertThat(sum).containsEntry("compared", 100L).containsEntry("disagreed", 10L).containsEntry("skipped", 4L)
                .containsEntry("agreement", 0.9);
    }

    @Test
    void a_record_that_is_not_a_snapshot_is_an_io_error() {
        assertThatThrownBy(() -> MeterSnapshot.parse("{\"at\": 1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MeterSnapshot.parse("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }
}
