package dev.stratus.core.config;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * A picocli command line whose commands run with the program's environment as one checked
 * record: read from {@code env} (the only environment they see) when a command runs, so that
 * {@code --help} works whatever it holds. Each command's help ends with the variables it
 * honours; errors are one line, exit 2 for bad input (a file, an argument, a variable), else 1.
 */
public final class EnvironmentCommandLine {
    /** A command that runs with the environment record {@code E}. */
    public interface EnvCommand<E> {
        /** The variables this command honours, for its {@code --help}. */
        List<EnvVar> environment();

        int call(E environment) throws Exception;
    }

    private EnvironmentCommandLine() {
    }

    /** The command line over {@code root}; {@code read} turns the environment into the record, or fails naming the variable. */
    public static <E> CommandLine of(Object root, Map<String, String> env, Function<Map<String, String>, E> read) {
        Map<String, String> environment = Map.copyOf(env);
        CommandLine line = new CommandLine(root);
        line.setExecutionStrategy(parsed -> execute(parsed, environment, read));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        describe(line);
        return line;
    }

    /** Ends {@code command}'s help with {@code variables}. */
    public static void describe(CommandLine command, List<EnvVar> variables) {
        command.getCommandSpec().usageMessage().footerHeading("%nEnvironment:%n").footer(EnvVar.helpLines(variables));
    }

    private static void describe(CommandLine line) {
        for (CommandLine sub : line.getSubcommands().values()) {
            if (sub.getCommand() instanceof EnvCommand<?> command) {
                describe(sub, command.environment());
            }
            describe(sub);
        }
    }

    private static <E> int execute(ParseResult parsed, Map<String, String> env, Function<Map<String, String>, E> read) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine last = chain.get(chain.size() - 1);
        if (!(last.getCommand() instanceof EnvCommand<?> command)) {
            return new CommandLine.RunLast().execute(parsed);
        }
        @SuppressWarnings("unchecked")
        EnvCommand<E> typed = (EnvCommand<E>) command;
        try {
            int code = typed.call(read.apply(env));
            last.setExecutionResult(code);
            return code;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(last, e.getMessage(), e);
        }
    }
}
