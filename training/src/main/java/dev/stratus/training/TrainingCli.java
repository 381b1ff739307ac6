package dev.stratus.training;

import dev.stratus.core.config.EnvironmentCommandLine;
import dev.stratus.training.report.CompareRunsCommand;
import dev.stratus.training.verifier.VerifierCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The trainer image's entry point: one command line over the training module's commands, so
 * that a Kubernetes Job chooses {@code train} or {@code retrain} by its first argument and never
 * has to replace the image's entry point.
 */
@Command(name = "stratus-trainer", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        subcommands = {TrainCommand.class, RetrainCommand.class, VerifierCommand.class, CompareRunsCommand.class},
        description = "Trains, retrains behind the gate, trains the number verifier, compares runs.",
        footer = {"", "Each command's --help lists its options and the environment variables it honours."})
public final class TrainingCli {

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.out).execute(args));
    }

    /** The command line over {@code env}, the only environment its commands see, writing progress to {@code console}. */
    public static CommandLine commandLine(Map<String, String> env, PrintStream console) {
        CommandLine line = new CommandLine(new TrainingCli(), new Factory(Map.copyOf(env), console));
        line.setExecutionExceptionHandler(TrainingCli::oneLine);
        EnvironmentCommandLine.describe(line.getSubcommands().get("train"), TrainingEnvironment.VARIABLES);
        EnvironmentCommandLine.describe(line.getSubcommands().get("retrain"), RetrainCommand.ENVIRONMENT);
        return line;
    }

    /** A failed command is one line naming it: exit 2 for bad input (a file, an argument), else 1. */
    static int oneLine(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        command.getErr().println(command.getCommandName() + ": " + e.getMessage());
        return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
    }

    /** Creates each command with the environment and console it runs with. */
    private record Factory(Map<String, String> env, PrintStream console) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            Object command;
            if (type == TrainCommand.class) {
                command = new TrainCommand(env, console);
            } else if (type == RetrainCommand.class) {
                command = new RetrainCommand(env, console);
            } else if (type == VerifierCommand.class) {
                command = new VerifierCommand(env, console);
            } else {
                return CommandLine.defaultFactory().create(type);
            }
            return type.cast(command);
        }
    }
}
