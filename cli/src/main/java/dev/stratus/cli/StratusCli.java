package dev.stratus.cli;

import dev.stratus.core.config.EnvVar;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/** The serving-side commands: {@code evaluate} and {@code bench}. They need ONNX Runtime only. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {EvaluateCommand.class, BenchCommand.class},
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
        Map<String, String> environment = Map.copyOf(env);
        CommandLine line = new CommandLine(new StratusCli());
        line.setExecutionStrategy(parsed -> execute(parsed, environment));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        describeEnvironment(line);
        return line;
    }

    private static void describeEnvironment(CommandLine line) {
        for (CommandLine sub : line.getSubcommands().values()) {
            if (sub.getCommand() instanceof CliCommand command) {
                List<EnvVar> variables = command.environment();
                sub.getCommandSpec().usageMessage().footerHeading("%nEnvironment:%n").footer(EnvVar.helpLines(variables));
            }
            describeEnvironment(sub);
        }
    }

    private static int execute(ParseResult parsed, Map<String, String> env) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine last = chain.get(chain.size() - 1);
        if (!(last.getCommand() instanceof CliCommand command)) {
            return new CommandLine.RunLast().execute(parsed);
        }
        try {
            int code = command.call(CliEnvironment.from(env));
            last.setExecutionResult(code);
            return code;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(last, e.getMessage(), e);
        }
    }
}
