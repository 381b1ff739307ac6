package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.server.ServerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlPredictionStoreTest {
    @TempDir
    Path dir;

    static PredictionRecord record(String id, int digit, int seed) {
        float[] probabilities = new float[10];
        probabilities[digit] = 0.9f;
        probabilities[(digit + 1) % 10] = 0.1f;
        byte[] input = new byte[784];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ((i * 31 + seed) % 256);
        }
        return new PredictionRecord(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), "test-model", digit,
                probabilities, input, null, null);
    }

    @Test
    void saved_records_are_found_at_once_and_survive_a_restart() {
        PredictionRecord saved = record("a", 3, 1);
        try (SqlPredictionStore store = SqlPredictionStore.open(dir)) {
            store.save(saved);
            assertThat(store.find("a")).contains(saved);
            for (int i = 0; i < 2_000; i++) {
                store.save(record("bulk-" + i, i % 10, i));
            }
        }
        try (SqlPredictionStore reopened = SqlPredictionStore.open(dir)) {
            assertThat(reopened.find("a")).contains(saved);
            assertThat(reopened.find("bulk-1999")).hasValueSatisfying(r -> assertThat(r.digit()).isEqualTo(9));
            assertThat(reopened.find("missing")).isEmpty();
        }
    }

    @Test
    void a_record_written_again_replaces_the_first_copy_instead_of_failing_its_batch() {
        try (SqlPredictionStore store = SqlPredictionStore.open(dir)) {
            store.save(record("again", 1, 1));
            store.saveAll(List.of(record("other", 5, 5), record("again", 2, 2)));

            assertThat(store.find("again")).hasValueSatisfying(r -> assertThat(r.digit()).isEqualTo(2));
            assertThat(store.find("other")).hasValueSatisfying(r -> assertThat(r.digit()).isEqualTo(5));
        }
        try (SqlPredictionStore reopened = SqlPredictionStore.open(dir)) {
            assertThat(reopened.find("again")).hasValueSatisfying(r -> assertThat(r.digit()).isEqualTo(2));
        }
    }

    @Test
    void a_new_directory_gets_sqlite_and_one_that_h2_wrote_is_still_served_by_h2() {
        try (SqlPredictionStore fresh = SqlPredictionStore.open(dir.resolve("new"))) {
            assertThat(fresh.database()).isEqualTo("SQLite");
        }
        Path old = dir.resolve("old");
        Instant at = Instant.parse("2026-01-01T10:00:00Z");
        PredictionRecord kept = record("kept", 4, 4);
        try (SqlPredictionStore h2 = SqlPredictionStore.openH2(old)) {
            h2.save(kept);
            h2.label("kept", new LabelChange(5, at, "192.0.2.1"));
        }
        try (SqlPredictionStore reopened = SqlPredictionStore.open(old)) {
            assertThat(reopened.database()).isEqualTo("H2");
            assertThat(reopened.find("kept")).hasValueSatisfying(r -> {
                assertThat(r.label()).isEqualTo(5);
                assertThat(r.input()).isEqualTo(kept.input());
            });
            assertThat(reopened.labelHistory("kept")).containsExactly(new LabelChange(5, at, "192.0.2.1"));
            reopened.saveAll(List.of(record("new", 1, 1), record("again", 2, 2)));
            reopened.saveAll(List.of(record("again", 3, 3)));
            assertThat(reopened.find("again")).hasValueSatisfying(r -> assertThat(r.digit()).isEqualTo(3));
        }
        assertThat(old.resolve(SqliteDialect.FILE)).doesNotExist();
    }

    @Test
    void labels_are_recorded_and_listed_in_order() {
        try (SqlPredictionStore store = SqlPredictionStore.open(dir)) {
            store.save(record("x", 1, 1));
            store.save(record("y", 2, 2));
            store.save(record("z", 3, 3));

            assertThat(store.label("y", TestLabels.now(7))).hasValueSatisfying(r -> {
                assertThat(r.label()).isEqualTo(7);
                assertThat(r.labelledAt()).isNotNull();
            });
            store.label("x", TestLabels.now(4));
            assertThat(store.label("nope", TestLabels.now(1))).isEmpty();

            List<String> labelled = new ArrayList<>();
            store.forEachLabelled(r -> labelled.add(r.id() + "=" + r.label()));
            assertThat(labelled).containsExactly("y=7", "x=4");
            assertThat(store.find("z").orElseThrow().label()).isNull();
        }
    }

    @Test
    void each_label_change_is_kept_with_its_time_and_client_across_a_restart() {
        Instant first = Instant.parse("2026-01-01T10:00:00Z");
        try (SqlPredictionStore store = SqlPredictionStore.open(dir)) {
            store.save(record("h", 1, 1));
            store.label("h", new LabelChange(3, first, "192.0.2.1"));
            store.label("h", new LabelChange(8, first.plusSeconds(5), "192.0.2.2"));
            assertThat(store.label("unknown", new LabelChange(1, first, "192.0.2.1"))).isEmpty();
        }
        try (SqlPredictionStore reopened = SqlPredictionStore.open(dir)) {
            assertThat(reopened.labelHistory("h")).containsExactly(new LabelChange(3, first, "192.0.2.1"),
                    new LabelChange(8, first.plusSeconds(5), "192.0.2.2"));
            assertThat(reopened.find("h").orElseThrow().label()).isEqualTo(8);
            assertThat(reopened.labelHistory("unknown")).isEmpty();
        }
    }

    @Test
    void export_leaves_out_predictions_relabelled_more_than_once_or_labelled_by_a_flagged_client() throws Exception {
        Instant at = Instant.parse("2026-01-01T10:00:00Z");
        try (SqlPredictionStore store = SqlPredictionStore.open(dir.resolve("data"))) {
            for (String id : List.of("once", "corrected", "tugged", "flagged")) {
                store.save(record(id, 1, id.length()));
            }
            store.label("once", new LabelChange(4, at, "192.0.2.1"));
            store.label("corrected", new LabelChange(5, at, "192.0.2.1"));
            store.label("corrected", new LabelChange(6, at.plusSeconds(1), "192.0.2.1"));
            for (int i = 0; i < 3; i++) {
                store.label("tugged", new LabelChange(i, at.plusSeconds(i), "192.0.2." + (i + 1)));
            }
            store.label("flagged", new LabelChange(9, at, "198.51.100.7"));
        }
        Path flagged = dir.resolve("flagged.txt");
        java.nio.file.Files.writeString(flagged, "# seen poisoning\n198.51.100.7\n\n");
        StringWriter out = new StringWriter();
        var line = ServerCli.commandLine(Map.of());
        line.setOut(new PrintWriter(out));
        int code = line.execute("export-feedback", "--data-dir", dir.resolve("data").toString(),
                "--out", dir.resolve("export").toString(), "--flagged-clients", flagged.toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Exported 2 labelled predictions")
                .contains("left out 1 relabelled more than 1 time(s) and 1 labelled by a flagged client");
        LabeledImages exported = Idx.read(dir.resolve("export").resolve(FeedbackFiles.IMAGES),
                dir.resolve("export").resolve(FeedbackFiles.LABELS));
        assertThat(exported.labels()).containsExactlyInAnyOrder(4, 6);
    }

    @Test
    void exported_feedback_reads_back_as_idx_with_the_users_labels() throws Exception {
        PredictionRecord first = record("p1", 1, 5);
        PredictionRecord second = record("p2", 8, 6);
        try (SqlPredictionStore store = SqlPredictionStore.open(dir.resolve("data"))) {
            store.save(first);
            store.save(second);
            store.save(record("unlabelled", 0, 7));
            store.label("p2", TestLabels.now(3));
            store.label("p1", TestLabels.now(7));
        }
        StringWriter out = new StringWriter();
        var line = ServerCli.commandLine(Map.of());
        line.setOut(new PrintWriter(out));
        int code = line.execute("export-feedback", "--data-dir", dir.resolve("data").toString(),
                "--out", dir.resolve("export").toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Exported 2 labelled predictions");
        LabeledImages exported = Idx.read(dir.resolve("export").resolve(FeedbackFiles.IMAGES),
                dir.resolve("export").resolve(FeedbackFiles.LABELS));
        assertThat(exported.count()).isEqualTo(2);
        assertThat(exported.labels()).containsExactly(3, 7);
        assertThat(java.util.Arrays.copyOfRange(exported.pixels(), 0, 784)).isEqualTo(second.input());
        assertThat(java.util.Arrays.copyOfRange(exported.pixels(), 784, 1568)).isEqualTo(first.input());
    }
}
