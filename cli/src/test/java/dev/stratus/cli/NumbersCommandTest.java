package dev.stratus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code numbers generate} and {@code evaluate --numbers} through the real command line. */
class NumbersCommandTest {
    @TempDir
    Path dir;

    static EvaluateCommandTest.Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = StratusCli.commandLine(Map.of("STRATUS_DATA", System.getProperty("stratus.test.data")));
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new EvaluateCommandTest.Outcome(code, out.toString(), err.toString());
    }

    @Test
    void generates_a_repeatable_set_that_evaluate_numbers_reads_as_json() throws IOException {
        Path set = dir.resolve("set");
        EvaluateCommandTest.Outcome generated = run("numbers", "generate", "--out", set.toString(), "--count", "40",
                "--seed", "3", "--min-length", "2", "--max-length", "4");
        assertThat(generated.code()).as(generated.err()).isZero();
        List<String> labels = Files.readAllLines(set.resolve("labels.csv"));
        assertThat(labels).hasSize(41).first().isEqualTo("file,label");
        assertThat(labels.get(1)).matches("number-00\\.png,[0-9]{2,4}");

        Path again = dir.resolve("again");
        run("numbers", "generate", "--out", again.toString(), "--count", "40", "--seed", "3", "--min-length", "2",
                "--max-length", "4");
        assertThat(Files.readAllLines(again.resolve("labels.csv"))).isEqualTo(labels);
        assertThat(Files.readAllBytes(again.resolve("number-07.png")))
                .isEqualTo(Files.readAllBytes(set.resolve("number-07.png")));

        EvaluateCommandTest.Outcome evaluated = run("evaluate", "--numbers", set.toString(), "--json");
        assertThat(evaluated.code()).as(evaluated.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(evaluated.out());
        assertThat(report.get("count").asInt()).isEqualTo(40);
        assertThat(report.get("accuracy").asDouble()).isBetween(0.7, 1.0);
        assertThat(report.get("lengthAccuracy").asDouble()).isBetween(0.7, 1.0);
        assertThat(report.get("digitAccuracy").asDouble()).isBetween(0.9, 1.0);
        assertThat(report.get("slowest").size()).isEqualTo(5);
    }

    @Test
    void evaluate_numbers_names_a_missing_labels_file() {
        EvaluateCommandTest.Outcome outcome = run("evaluate", "--numbers", dir.toString());

        assertThat(outcome.code()).isNotZero();
        assertThat(outcome.err()).contains(dir.resolve("labels.csv").toString()).contains("missing");
    }

    @Test
    void evaluate_wants_numbers_or_an_idx_pair() {
        EvaluateCommandTest.Outcome outcome = run("evaluate", "--images", "x.idx");

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains("--numbers");
    }
}
