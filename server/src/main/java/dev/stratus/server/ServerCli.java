package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/** The server-side commands: {@code up}, {@code worker}, {@code export-feedback} and {@code bench-hops}. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {UpCommand.class, WorkerCommand.class, ExportFeedbackCommand.class, HopsCommand.class},
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
        Map<String, String> environment = Map.copyOf(env);
        CommandLine line = new CommandLine(new ServerCli());
        line.setExecutionStrategy(parsed -> execute(parsed, environment));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        line.getSubcommands().values().forEach(sub -> {
            if (sub.getCommand() instanceof ServerCommand command) {
                describeEnvironment(sub, command.environment());
            }
        });
        return line;
    }

    private static void describeEnvironment(CommandLine command, List<EnvVar> variables) {
        command.getCommandSpec().usageMessage().footerHeading("%nEnvironment:%n").footer(EnvVar.helpLines(variables));
    }

    private static int execute(ParseResult parsed, Map<String, String> env) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine last = chain.get(chain.size() - 1);
        if (!(last.getCommand() instanceof ServerCommand command)) {
            return new CommandLine.RunLast().execute(parsed);
        }
        try {
            int code = command.call(ServerEnvironment.from(env));
            last.setExecutionResult(code);
            return code;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(last, e.getMessage(), e);
        }
    }
}
