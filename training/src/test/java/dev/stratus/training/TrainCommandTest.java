package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.config.EnvVar;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.network.Architecture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandTest {

    private static TrainingOptions parse(String... args) {
        TrainCommand command = new TrainCommand(Map.of(), System.out);
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void paper_uses_the_original_settings() {
        TrainingOptions options = parse("--arch", "paper");

        assertThat(options.architecture()).isSameAs(Architecture.PAPER);
        assertThat(options.epochs()).isEqualTo(10);
        assertThat(options.batchSize()).isEqualTo(64);
        assertThat(options.learningRate()).isEqualTo(1e-3f);
        assertThat(options.schedule()).isEqualTo(Schedule.CONSTANT);
        assertThat(options.validationSplit()).isEqualTo(0.1);
        assertThat(options.augmentation()).isEqualTo(Augmentation.NONE);
    }

    @Test
    void flags_override_the_defaults() {
        TrainingOptions options = parse("--epochs", "3", "--no-augment", "--schedule", "step", "--seed", "9");

        assertThat(options.architecture()).isSameAs(Architecture.STRATUS);
        assertThat(options.epochs()).isEqualTo(3);
        assertThat(options.augmentation().enabled()).isFalse();
        assertThat(options.schedule()).isEqualTo(Schedule.STEP);
        assertThat(options.seed()).isEqualTo(9);
    }

    @Test
    void the_share_of_redrawn_digits_can_be_chosen_with_augmentation_only() {
        assertThat(parse().augmentation().redraw()).isEqualTo(Augmentation.DRAWN_DIGITS.redraw()).isPositive();
        assertThat(parse("--redraw", "0.5").augmentation().redraw()).isEqualTo(0.5);
        assertThat(parse("--redraw", "0").augmentation().redraw()).isZero();
        assertThat(parse("--no-augment", "--redraw", "0").augmentation()).isEqualTo(Augmentation.NONE);
        assertThat(parse().outliers()).isEqualTo(TrainingOptions.DEFAULT_OUTLIERS);
        assertThat(parse("--arch", "paper").outliers()).isZero();
        assertThat(parse("--outliers", "0").outliers()).isZero();

        StringWriter err = new StringWriter();
        CommandLine line = TrainCommand.commandLine(Map.of());
        line.setErr(new PrintWriter(err));
        assertThat(line.execute("--arch", "paper", "--redraw", "0.3")).isEqualTo(2);
        assertThat(err.toString()).contains("--redraw is a kind of augmentation");
        err.getBuffer().setLength(0);
        assertThat(line.execute("--redraw", "1.5")).isEqualTo(2);
        assertThat(err.toString()).contains("[0, 1]");
    }

    @Test
    void bad_values_are_clear_errors() {
        StringWriter err = new StringWriter();
        CommandLine line = TrainCommand.commandLine(Map.of());
        line.setErr(new PrintWriter(err));

        int code = line.execute("--schedule", "sometimes");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown schedule 'sometimes'");

        err.getBuffer().setLength(0);
        assertThat(line.execute("--epochs", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("epochs must be positive");
    }

    @Test
    void spark_options_are_checked_before_any_data_is_read() {
        StringWriter err = new StringWriter();
        CommandLine line = TrainCommand.commandLine(Map.of());
        line.setErr(new PrintWriter(err));

        assertThat(line.execute("--workers", "3", "--data", "/nonexistent")).isEqualTo(2);
        assertThat(err.toString()).contains("--workers and --spark-conf need --spark MASTER");

        err.getBuffer().setLength(0);
        assertThat(line.execute("--spark", "spark://spark-master:7077", "--data", "/nonexistent")).isEqualTo(2);
        assertThat(err.toString()).contains("--workers N").doesNotContain("/nonexistent");

        err.getBuffer().setLength(0);
        assertThat(line.execute("--spark", "local[2]", "--local-steps", "0", "--data", "/nonexistent")).isEqualTo(2);
        assertThat(err.toString()).contains("local steps must be positive");
    }

    @Test
    void help_lists_every_variable_train_honours() {
        StringWriter out = new StringWriter();
        CommandLine line = TrainCommand.commandLine(Map.of());
        line.setOut(new PrintWriter(out));

        assertThat(line.execute("--help")).isZero();
        String text = out.toString().replaceAll("\\s+", " ");
        for (EnvVar variable : TrainingEnvironment.VARIABLES) {
            assertThat(text).contains(" " + variable.name() + " " + variable.meaning() + " Default: "
                    + variable.byDefault() + ".");
        }
        assertThat(text).contains("DJL_CACHE_DIR").contains("STRATUS_DATA");
    }

    @Test
    void a_bad_variable_stops_train_before_anything_else_naming_it() {
        StringWriter err = new StringWriter();
        CommandLine line = TrainCommand.commandLine(Map.of("STRATUS_MNIST_MIRROR", "not a url"));
        line.setErr(new PrintWriter(err));

        assertThat(line.execute("--data", "/nonexistent")).isEqualTo(2);
        assertThat(err.toString()).contains("train: STRATUS_MNIST_MIRROR must be an http(s) URL, got 'not a url'");
    }

    @Test
    void the_environment_gives_the_data_directory_and_the_djl_cache() {
        TrainingEnvironment env = TrainingEnvironment.from(Map.of("STRATUS_DATA", "/data/mnist",
                "DJL_CACHE_DIR", "/cache/djl"));

        assertThat(env.mnist().files(null).directory()).isEqualTo(java.nio.file.Path.of("/data/mnist"));
        assertThat(env.djlCache()).isEqualTo(java.nio.file.Path.of("/cache/djl"));
        assertThat(TrainingEnvironment.from(Map.of()).djlCache().toString()).endsWith(".cache/stratus/djl");
    }

    @Test
    void the_spark_secret_comes_from_the_environment_and_never_from_the_command_line() {
        TrainingEnvironment env = TrainingEnvironment.from(Map.of("STRATUS_SPARK_SECRET", "s3cr3t-value"));
        Map<String, String> conf = TrainCommand.withSecret(Map.of("spark.executor.cores", "2"), env.sparkSecret());

        assertThat(conf).containsEntry("spark.authenticate", "true")
                .containsEntry("spark.authenticate.secret", "s3cr3t-value").containsEntry("spark.executor.cores", "2");
        assertThat(env.toString()).doesNotContain("s3cr3t-value");
        assertThat(new dev.stratus.training.spark.SparkSettings("spark://127.0.0.1:7077", 2, 4, "1g", 1, conf)
                .toString()).doesNotContain("s3cr3t-value").contains("spark.authenticate");
        assertThat(TrainCommand.withSecret(Map.of(), TrainingEnvironment.from(Map.of()).sparkSecret()))
                .doesNotContainKey("spark.authenticate.secret");

        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine line = TrainCommand.commandLine(Map.of());
        line.setErr(new java.io.PrintWriter(err));
        assertThat(line.execute("--spark", "local[2]", "--spark-conf", "spark.authenticate.secret=on-the-command-line"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("puts the secret on the command line").contains("STRATUS_SPARK_SECRET")
                .doesNotContain("on-the-command-line");
    }
}
