package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.segment.Box;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numbers in every store: SQLite, H2 (data directories from before December 2026) and CouchDB (pouchdb-server). */
class NumberStoreTest {
    @TempDir
    Path dir;

    static NumberRecord number(String id, String digits) {
        List<NumberDigit> read = new ArrayList<>();
        for (int i = 0; i < digits.length(); i++) {
            float[] probabilities = new float[10];
            probabilities[digits.charAt(i) - '0'] = 0.8f + i / 100f;
            probabilities[(digits.charAt(i) - '0' + 1) % 10] = 0.2f - i / 100f;
            byte[] input = new byte[784];
            for (int p = 0; p < input.length; p++) {
                input[p] = (byte) (p * 7 + i);
            }
            read.add(new NumberDigit(probabilities, new Box(10 + 30 * i, 5 + i, 20, 28), input));
        }
        return new NumberRecord(id, Instant.now().truncatedTo(ChronoUnit.MICROS), "test-model", read, null, null);
    }

    @Test
    void sqlite_keeps_numbers_their_corrections_and_histories_across_a_restart() {
        everyOperation(() -> SqlPredictionStore.open(dir));
    }

    @Test
    void h2_keeps_numbers_their_corrections_and_histories_across_a_restart() {
        everyOperation(() -> SqlPredictionStore.openH2(dir));
    }

    private void everyOperation(Supplier<SqlPredictionStore> open) {
        NumberRecord first = number("n1", "2048");
        NumberRecord second = number("n2", "7");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (SqlPredictionStore store = open.get()) {
            assertThat(store.numbers().saveAll(List.of(first, second))).containsExactly(first, second);
            assertThat(store.numbers().find("n1")).contains(first);
            assertThat(store.find("n1")).as("a number is not a prediction").isEmpty();
            assertThat(store.numbers().label("n1", new NumberLabel("2049", at, "192.0.2.1")))
                    .contains(first.withLabel("2049", at));
            assertThat(store.numbers().label("missing", new NumberLabel("1", at, "192.0.2.1"))).isEmpty();
        }
        try (SqlPredictionStore reopened = open.get()) {
            assertThat(reopened.numbers().find("n1")).contains(first.withLabel("2049", at));
            assertThat(reopened.numbers().find("n2")).contains(second);
            assertThat(reopened.numbers().labelHistory("n1")).containsExactly(new NumberLabel("2049", at, "192.0.2.1"));
            List<NumberRecord> labelled = new ArrayList<>();
            reopened.numbers().forEachLabelled(labelled::add);
            assertThat(labelled).extracting(NumberRecord::id).containsExactly("n1");
            List<PredictionRecord> predictions = new ArrayList<>();
            reopened.forEachLabelled(predictions::add);
            assertThat(predictions).as("numbers are not exported as predictions").isEmpty();
        }
    }

    @Test
    void a_data_directory_from_before_numbers_opens_with_its_predictions_and_takes_numbers() throws Exception {
        PredictionRecord old = SqlPredictionStoreTest.record("old", 3, 1);
        try (SqlPredictionStore store = SqlPredictionStore.openH2(dir)) {
            store.save(old);
        }
        // What a directory written before numbers holds: the predictions' tables only.
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("predictions"),
                "stratus", ""); Statement drop = h2.createStatement()) {
            drop.execute("DROP TABLE numbers");
            drop.execute("DROP TABLE number_label_changes");
        }
        try (SqlPredictionStore reopened = SqlPredictionStore.open(dir)) {
            assertThat(reopened.database()).isEqualTo("H2");
            assertThat(reopened.find("old")).contains(old);
            reopened.numbers().saveAll(List.of(number("new", "12")));
            assertThat(reopened.numbers().find("new")).hasValueSatisfying(n -> assertThat(n.number()).isEqualTo("12"));
        }
    }

    @Test
    void a_correction_of_the_wrong_length_is_never_stored() {
        assertThatThrownBy(() -> number("n", "123").withLabel("12", Instant.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 digits");
        assertThatThrownBy(() -> number("n", "123").withLabel("1a3", Instant.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }

    @Test
    void the_digits_encoding_round_trips_and_refuses_a_truncated_one() {
        NumberRecord n = number("n", "0123456789");
        byte[] bytes = NumberDigits.encode(n.digits());

        assertThat(NumberDigits.decode(bytes)).isEqualTo(n.digits());
        assertThatThrownBy(() -> NumberDigits.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void couchdb_keeps_numbers_beside_predictions_and_a_redelivered_number_keeps_its_first_record() {
        try (CouchDbPredictionStoreTest.PouchDb server = CouchDbPredictionStoreTest.PouchDb.start(dir.resolve("couch"),
                CouchDbPredictionStoreTest.freePort());
             CouchDbPredictionStore store = CouchDbPredictionStore.open(new CouchDbSettings(URI.create(server.url()),
                     "numbers", null, null, Duration.ofSeconds(10), 2))) {
            NumberRecord first = number("n1", "2048");
            PredictionRecord prediction = SqlPredictionStoreTest.record("p1", 4, 2);
            store.save(prediction);
            store.numbers().saveAll(List.of(first));
            NumberRecord again = number("n1", "9999");

            assertThat(store.numbers().saveAll(List.of(again))).as("the first record answers").containsExactly(first);
            assertThat(store.numbers().find("n1")).contains(first);
            assertThat(store.numbers().find("p1")).as("a prediction is not a number").isEmpty();
            assertThat(store.find("n1")).as("a number is not a prediction").isEmpty();

            Instant at = Instant.parse("2026-12-01T12:00:00.123456Z");
            store.label("p1", new LabelChange(5, at, "192.0.2.2"));
            assertThat(store.numbers().label("n1", new NumberLabel("2049", at, "192.0.2.1")))
                    .contains(first.withLabel("2049", at));
            assertThat(store.numbers().find("n1")).contains(first.withLabel("2049", at));
            assertThat(store.numbers().labelHistory("n1")).containsExactly(new NumberLabel("2049", at, "192.0.2.1"));
            assertThat(NumberStoreTest.<NumberRecord>collect(store.numbers()::forEachLabelled)).extracting(NumberRecord::id).containsExactly("n1");
            assertThat(NumberStoreTest.<PredictionRecord>collect(store::forEachLabelled)).extracting(PredictionRecord::id).containsExactly("p1");
        }
    }

    private static <T> List<T> collect(Consumer<Consumer<T>> each) {
        List<T> out = new ArrayList<>();
        each.accept(out::add);
        return out;
    }
}
