package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The trainer image's entry point dispatches by its first argument; nothing here trains. */
class TrainingCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = TrainingCli.commandLine(Map.of(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void help_lists_every_training_command() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("train ", "retrain ", "train-verifier ", "compare-runs ");
    }

    @Test
    void each_command_keeps_its_options_and_environment_in_its_help() {
        assertThat(run("retrain", "--help")).isZero();
        assertThat(out.toString()).contains("--feedback", "--registry", "STRATUS_MODELS", "STRATUS_DATA");

        out.getBuffer().setLength(0);
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString()).contains("--epochs", "--spark", "DJL_CACHE_DIR").doesNotContain("STRATUS_MODELS");
    }

    @Test
    void a_failing_command_is_one_line_naming_it_with_exit_2() {
        assertThat(run("train", "--schedule", "sometimes")).isEqualTo(2);
        assertThat(err.toString()).startsWith("train: ").contains("unknown schedule 'sometimes'");

        err.getBuffer().setLength(0);
        assertThat(run("retrain", "--feedback", "runs/none", "--tolerance", "2")).isEqualTo(2);
        assertThat(err.toString()).startsWith("retrain: ").contains("--tolerance is 0 to 1");
    }

    @Test
    void an_unknown_command_is_refused() {
        assertThat(run("serve")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument", "serve");
    }
}
