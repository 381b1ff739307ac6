package dev.stratus.training.report;

import dev.stratus.core.chart.LineChart;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.training.TrainingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stratus compare-runs}: puts training runs side by side from their model cards: a
 * Markdown table (workers, rounds, time per epoch, time to the original's 97.45 %, final
 * accuracy) and a plot of test accuracy against training time.
 */
@Command(name = "compare-runs", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        description = "Compares model directories written by 'stratus train' (with or without --spark).")
public final class CompareRunsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL_DIR", arity = "1..*", description = "Model directories (each with model-card.json).")
    List<Path> runs = new ArrayList<>();

    @Option(names = "--plot", description = "Write the accuracy-against-time plot here (PNG).")
    Path plot;

    @Option(names = "--title", defaultValue = "Test accuracy against training time",
            description = "Title of the plot (default: ${DEFAULT-VALUE}).")
    String title;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with its error handling: a bad directory is one line naming it, exit status 2. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new CompareRunsCommand());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("compare-runs: " + e.getMessage());
            return 2;
        });
        return line;
    }

    /** One run's card, named for the table ({@code name}) and the legend ({@code legend}). */
    private record Run(String name, String legend, ModelCard card) {
    }

    @Override
    public Integer call() throws IOException {
        List<Run> loaded = new ArrayList<>();
        for (Path dir : runs) {
            Path file = dir.resolve(ModelContract.CARD_FILE);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(dir + ": no " + ModelContract.CARD_FILE + " (not a model directory)");
            }
            try {
                ModelCard card = ModelCard.read(file);
                String legend = legend(card);
                loaded.add(new Run(legend + " (" + dir.getFileName() + ")", legend, card));
            } catch (ModelLoadException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
        table(loaded, System.out);
        if (plot != null) {
            List<LineChart.Series> series = new ArrayList<>();
            for (Run run : loaded) {
                List<ModelCard.Checkpoint> points = run.card().training().checkpoints();
                series.add(new LineChart.Series(run.legend(),
                        points.stream().mapToDouble(ModelCard.Checkpoint::trainingSeconds).toArray(),
                        points.stream().mapToDouble(c -> 100 * c.testAccuracy()).toArray()));
            }
            LineChart.write(title, List.of(new LineChart.Panel("MNIST test accuracy (10,000 images) during training",
                    "training seconds", "accuracy %", series)), plot);
            System.out.println("Plot written to " + plot);
        }
        return 0;
    }

    private static String legend(ModelCard card) {
        Map<String, Object> spark = card.training().distributed();
        if (spark == null) {
            return card.architecture().name() + ", 1 JVM";
        }
        Object workers = spark.get("workers");
        return card.architecture().name() + ", " + workers + (Integer.valueOf(1).equals(workers) ? " worker" : " workers");
    }

    static void table(List<Run> runs, PrintStream out) {
        out.println("| run | epochs | rounds | time per epoch | time to 97.45 % | training time | total wall | test accuracy |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Run run : runs) {
            ModelCard.Training t = run.card().training();
            Map<String, Object> spark = t.distributed();
            double perEpoch = t.epochs().stream().mapToDouble(ModelCard.Epoch::seconds).average().orElse(Double.NaN);
            Object total = spark == null ? null : spark.get("totalSeconds");
            out.printf("| %s | %d | %s | %.1f s | %s | %.1f s | %s | %.2f %% |%n", run.name(), t.epochs().size(),
                    spark == null ? "-" : spark.get("rounds"), perEpoch,
                    t.secondsToReference() == null ? "not reached" : String.format("%.1f s", t.secondsToReference()),
                    t.wallSeconds(), total == null ? "-" : String.format("%.1f s", ((Number) total).doubleValue()),
                    100 * run.card().test().accuracy());
        }
        out.printf("(time to %.2f %%: training seconds until the test accuracy first reached it)%n",
                100 * TrainingOptions.REFERENCE_ACCURACY);
    }
}
