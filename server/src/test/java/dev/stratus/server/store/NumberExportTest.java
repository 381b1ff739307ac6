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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export-feedback} with corrected numbers: one IDX record per digit, as {@code train --extra} reads them. */
class NumberExportTest {
    @TempDir
    Path dir;

    @Test
    void a_corrected_number_is_exported_digit_by_digit_with_the_corrected_digits() throws Exception {
        PredictionRecord digit = SqlPredictionStoreTest.record("p1", 1, 5);
        NumberRecord corrected = NumberStoreTest.number("n1", "2048");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (SqlPredictionStore store = SqlPredictionStore.open(dir.resolve("data"))) {
            store.save(digit);
            store.label("p1", new LabelChange(7, at, "192.0.2.1"));
            store.numbers().saveAll(List.of(corrected, NumberStoreTest.number("unlabelled", "11"),
                    NumberStoreTest.number("tugged", "55"), NumberStoreTest.number("flagged", "66")));
            store.numbers().label("n1", new NumberLabel("2049", at.plusSeconds(1), "192.0.2.1"));
            for (int i = 0; i < 3; i++) {
                store.numbers().label("tugged", new NumberLabel("5" + i, at.plusSeconds(2 + i), "192.0.2." + (i + 2)));
            }
            store.numbers().label("flagged", new NumberLabel("67", at, "198.51.100.7"));
        }
        Path flagged = dir.resolve("flagged.txt");
        java.nio.file.Files.writeString(flagged, "198.51.100.7\n");
        StringWriter out = new StringWriter();
        var line = ServerCli.commandLine(Map.of());
        line.setOut(new PrintWriter(out));
        int code = line.execute("export-feedback", "--data-dir", dir.resolve("data").toString(),
                "--out", dir.resolve("export").toString(), "--flagged-clients", flagged.toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Exported 1 labelled predictions and 4 digits of 1 corrected numbers")
                .contains("left out 1 relabelled more than 1 time(s) and 1 labelled by a flagged client");
        LabeledImages exported = Idx.read(dir.resolve("export").resolve(FeedbackFiles.IMAGES),
                dir.resolve("export").resolve(FeedbackFiles.LABELS));
        assertThat(exported.count()).isEqualTo(5);
        assertThat(exported.labels()).containsExactly(7, 2, 0, 4, 9);
        assertThat(Arrays.copyOfRange(exported.pixels(), 0, 784)).isEqualTo(digit.input());
        for (int i = 0; i < 4; i++) {
            assertThat(Arrays.copyOfRange(exported.pixels(), 784 * (i + 1), 784 * (i + 2)))
                    .as("digit %d's own input", i).isEqualTo(corrected.digits().get(i).input());
        }
    }
}
