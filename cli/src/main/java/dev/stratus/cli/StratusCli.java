package dev.stratus.cli;

import dev.stratus.core.config.EnvironmentCommandLine;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The serving-side commands: {@code evaluate}, {@code bench}, {@code numbers} and {@code models}. They need ONNX Runtime only. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {EvaluateCommand.class, BenchCommand.class, NumbersCommand.class, ModelsCommand.class},
        description = "Handwritten digit recognition: evaluate and benchmark models.",
        footer = {"", "Each command's --help lists the environment variables it honours; docs/configuration.md has them all."})
public final class StratusCli {

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /**
     * The command line with Stratus' error handling (a clear one-line message, exit 2 for bad
     * input) over {@code env}, the only environment the commands see. It is read and checked when
     * a command runs, so that {@code --help} works whatever it holds.
     */
    public static CommandLine commandLine(Map<String, String> env) {
        return EnvironmentCommandLine.of(new StratusCli(), env, CliEnvironment::from);
    }
}
