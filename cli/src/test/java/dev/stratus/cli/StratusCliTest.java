package dev.stratus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.config.EnvVar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The environment as {@code evaluate} and {@code bench} honour it, over maps the test gives. */
class StratusCliTest {

    private static EvaluateCommandTest.Outcome run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = StratusCli.commandLine(env);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new EvaluateCommandTest.Outcome(code, out.toString(), err.toString());
    }

    private static void assertHelpLists(List<EnvVar> variables, String... command) {
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
                .toArray(String[]::new);
        EvaluateCommandTest.Outcome help = run(Map.of(), args);

        assertThat(help.code()).isZero();
        String text = help.out().replaceAll("\\s+", " ");
        assertThat(text).contains("Environment:");
        for (EnvVar variable : variables) {
            assertThat(text).as(String.join(" ", args)).contains(" " + variable.name() + " " + variable.meaning()
                    + " Default: " + variable.byDefault() + ".");
        }
    }

    @Test
    void each_command_help_lists_the_variables_it_honours() {
        assertHelpLists(CliEnvironment.EVALUATE, "evaluate");
        assertHelpLists(CliEnvironment.BENCH_MODEL, "bench", "model");
        assertHelpLists(CliEnvironment.BENCH_SERVE, "bench", "serve");
        assertThat(CliEnvironment.BENCH_MODEL.stream().map(EnvVar::name))
                .containsExactly("STRATUS_MODEL", "STRATUS_DATA", "STRATUS_MNIST_MIRROR");
    }

    @Test
    void a_bad_variable_stops_the_command_with_its_name_and_value() {
        EvaluateCommandTest.Outcome outcome = run(Map.of("STRATUS_MNIST_MIRROR", "mirror.example"), "bench", "model",
                "--seconds", "0.1");

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("model: STRATUS_MNIST_MIRROR must be an http(s) URL, got 'mirror.example'"
                + System.lineSeparator());
    }

    @Test
    void the_environment_parses_defaults_and_values() {
        CliEnvironment none = CliEnvironment.from(Map.of());
        CliEnvironment set = CliEnvironment.from(Map.of("STRATUS_MODEL", "/models/m", "STRATUS_DATA", "/data/mnist",
                "STRATUS_ACCESS_LOG", "INFO"));

        assertThat(none.model()).isNull();
        assertThat(none.accessLog()).isEqualTo("OFF");
        assertThat(set.model()).isEqualTo(java.nio.file.Path.of("/models/m"));
        assertThat(set.mnist().directory()).isEqualTo(java.nio.file.Path.of("/data/mnist"));
        assertThat(set.accessLog()).isEqualTo("INFO");
    }
}
