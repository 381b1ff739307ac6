package dev.stratus.cli;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.mnist.NumberSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code stratus numbers generate}: numbers composed from MNIST test digits, for tests and benchmarks. */
@Command(name = "numbers", mixinStandardHelpOptions = true, subcommands = NumbersCommand.Generate.class,
        description = "Numbers drawn from MNIST test digits. 'numbers generate' writes a set of them.")
final class NumbersCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a sub-command: numbers generate");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Composes numbers from the MNIST test digits (never the training digits) and writes",
                    "them as PNG files with labels.csv (file,label), the same set for the same seed."})
    static final class Generate implements CliCommand {
        @Option(names = "--out", required = true, description = "Directory to write the PNGs and labels.csv to.")
        Path out;

        @Option(names = "--count", defaultValue = "100", description = "Numbers to write (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--touching", description = "Neighbours touch or overlap (default: 2-8 px apart).")
        boolean touching;

        @Option(names = "--min-length", defaultValue = "1", description = "Fewest digits (default ${DEFAULT-VALUE}).")
        int minLength;

        @Option(names = "--max-length", defaultValue = "8", description = "Most digits (default ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--data", description = "MNIST directory (else $STRATUS_DATA, else ~/.cache/stratus/mnist).")
        Path data;

        @Spec
        CommandSpec spec;

        @Override
        public List<EnvVar> environment() {
            return CliEnvironment.NUMBERS;
        }

        @Override
        public int call(CliEnvironment env) throws IOException {
            NumberComposer.Settings settings = new NumberComposer.Settings(minLength, maxLength,
                    touching ? NumberComposer.Spacing.TOUCHING : NumberComposer.Spacing.GAPPED);
            MnistFiles files = env.mnist().files(data).ensurePresent(env.mnist().mirrors(), System.err);
            List<NumberSet.Entry> written = NumberSet.write(out, new NumberComposer(files.test(), settings, seed), count);
            spec.commandLine().getOut().printf("Wrote %d numbers (%s, %d-%d digits, seed %d) to %s%n", written.size(),
                    settings.spacing().name().toLowerCase(Locale.ROOT), minLength, maxLength, seed, out);
            return 0;
        }
    }
}
