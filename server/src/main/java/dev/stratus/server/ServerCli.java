package dev.stratus.server;

import dev.stratus.core.config.EnvironmentCommandLine;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The server-side commands: {@code up}, {@code worker}, {@code export-feedback} and {@code bench-hops}. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {UpCommand.class, WorkerCommand.class, ExportFeedbackCommand.class, HopsCommand.class,
                PublishModelsCommand.class},
        description = "Handwritten digit recognition: the app and its data.",
        footer = {"", "Each command's --help lists the environment variables it honours; docs/configuration.md has them all."})
public final class ServerCli {

    public static void main(String[] args) {
        int code = commandLine(System.getenv()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line over {@code env}, the only environment the commands see. It is read and
     * checked when a command runs, so that {@code --help} works whatever it holds.
     */
    public static CommandLine commandLine(Map<String, String> env) {
        return EnvironmentCommandLine.of(new ServerCli(), env, ServerEnvironment::from);
    }
}
