package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.config.EnvVar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The server commands as a user runs them, over an environment the test gives. */
class ServerCliTest {

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = ServerCli.commandLine(env);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static void assertHelpLists(String command, List<EnvVar> variables) {
        Outcome help = run(Map.of(), command, "--help");

        assertThat(help.code()).isZero();
        String text = help.out().replaceAll("\\s+", " ");
        assertThat(text).contains("Environment:");
        for (EnvVar variable : variables) {
            assertThat(text).as(command + " --help").contains(" " + variable.name() + " " + variable.meaning()
                    + " Default: " + variable.byDefault() + ".");
        }
    }

    @Test
    void up_help_lists_every_variable_up_honours() {
        assertHelpLists("up", ServerEnvironment.UP);
        assertThat(run(Map.of(), "up", "--help").out()).contains("  STRATUS_KAFKA_SESSION_TIMEOUT_MS\n");
    }

    @Test
    void worker_help_lists_every_variable_the_worker_honours() {
        assertHelpLists("worker", ServerEnvironment.WORKER);
        assertThat(ServerEnvironment.WORKER.stream().map(EnvVar::name))
                .contains("STRATUS_KAFKA_SESSION_TIMEOUT_MS", "STRATUS_MODEL", "STRATUS_COUCHDB_PASSWORD");
    }

    @Test
    void bench_hops_help_lists_its_variables() {
        assertHelpLists("bench-hops", ServerEnvironment.HOPS);
    }

    @Test
    void help_works_whatever_the_environment_holds() {
        assertThat(run(Map.of("STRATUS_PORT", "x"), "up", "--help").code()).isZero();
    }

    @Test
    void a_bad_variable_stops_the_command_at_start_with_its_name_and_value() {
        Outcome worker = run(Map.of("STRATUS_KAFKA_SESSION_TIMEOUT_MS", "abc"), "worker", "--bootstrap", "127.0.0.1:1",
                "--couchdb", "http://127.0.0.1:1");

        assertThat(worker.code()).isEqualTo(2);
        assertThat(worker.err()).isEqualTo("worker: STRATUS_KAFKA_SESSION_TIMEOUT_MS must be a whole number of"
                + " milliseconds from 6000 to 1800000, got 'abc'" + System.lineSeparator());

        Outcome up = run(Map.of("STRATUS_PORT", "http"), "up");
        assertThat(up.code()).isEqualTo(2);
        assertThat(up.err()).contains("up: STRATUS_PORT must be a whole number from 0 to 65535, got 'http'");
    }

    @Test
    void a_flag_wins_over_the_environment() {
        ServerEnvironment env = ServerEnvironment.from(Map.of("STRATUS_HOST", "0.0.0.0", "STRATUS_PORT", "9090"));
        UpCommand flags = new UpCommand();
        new CommandLine(flags).parseArgs("--port", "0");
        UpCommand none = new UpCommand();
        new CommandLine(none).parseArgs();

        assertThat(flags.config(env).network()).isEqualTo(new ServerConfig.Network("0.0.0.0", 0, 1024 * 1024));
        assertThat(none.config(env).network().port()).isEqualTo(9090);
        assertThat(none.config(ServerEnvironment.from(Map.of())).network().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void the_longest_number_comes_from_the_flag_else_the_environment() {
        ServerEnvironment env = ServerEnvironment.from(Map.of("STRATUS_MAX_DIGITS", "8"));
        UpCommand flag = new UpCommand();
        new CommandLine(flag).parseArgs("--max-digits", "4");
        UpCommand none = new UpCommand();
        new CommandLine(none).parseArgs();

        assertThat(flag.config(env).numbers().maxDigits()).isEqualTo(4);
        assertThat(none.config(env).numbers().maxDigits()).isEqualTo(8);
        assertThat(none.config(ServerEnvironment.from(Map.of())).numbers().maxDigits()).isEqualTo(16);
    }
}
