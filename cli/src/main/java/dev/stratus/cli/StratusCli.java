package dev.stratus.cli;

import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The serving-side commands: {@code evaluate} and {@code bench}. They need ONNX Runtime only. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {EvaluateCommand.class, BenchCommand.class},
        description = "Handwritten digit recognition: evaluate and benchmark models.")
public final class StratusCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Stratus' error handling: a clear one-line message, exit 2 for bad input. */
    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new StratusCli());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        return line;
    }
}
