package dev.stratus.server;

import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The server-side commands: {@code up}, {@code worker}, {@code export-feedback} and {@code bench-hops}. */
@Command(name = "stratus", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {UpCommand.class, WorkerCommand.class, ExportFeedbackCommand.class, HopsCommand.class},
        description = "Handwritten digit recognition: the app and its data.")
public final class ServerCli {

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new ServerCli());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        return line;
    }
}
