package dev.stratus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.chart.ConfusionChart;
import dev.stratus.core.config.EnvVar;
import dev.stratus.core.evaluation.Evaluator;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.segment.Segmenter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code stratus evaluate}: a model's accuracy on any IDX image/label pair, through the serving preprocessing. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs an IDX image/label pair through the serving preprocessing and a model;",
                "prints overall accuracy, accuracy per digit and the confusion matrix.",
                "With --numbers DIR: reads each PNG number with the segmenter; prints exact-number accuracy,",
                "accuracy by length, digit accuracy where the length was right and the slowest images."})
final class EvaluateCommand implements CliCommand {

    @Option(names = "--model", description = "Model directory (model.onnx + model-card.json); default: $STRATUS_MODEL, else the shipped model.")
    Path model;

    @Option(names = "--images", description = "IDX image file (magic 2051), gzip or raw, any image size.")
    Path images;

    @Option(names = "--labels", description = "IDX label file (magic 2049), gzip or raw.")
    Path labels;

    @Option(names = "--numbers", description = {"Directory of PNG numbers with labels.csv (file,label):",
            "exact-number accuracy of segmentation and the model, instead of --images/--labels."})
    Path numbers;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    boolean json;

    @Option(names = "--limit", description = "Evaluate only the first N images (0: all).", defaultValue = "0")
    int limit;

    @Option(names = "--confusion-png", description = "Also draw the confusion matrix into this PNG file.")
    Path confusionPng;

    @Spec
    CommandSpec spec;

    @Override
    public List<EnvVar> environment() {
        return CliEnvironment.EVALUATE;
    }

    @Override
    public int call(CliEnvironment env) throws IOException {
        if (numbers != null) {
            if (images != null || labels != null) {
                throw new IllegalArgumentException("give --numbers DIR or --images and --labels, not both");
            }
            return evaluateNumbers(env);
        }
        if (images == null || labels == null) {
            throw new IllegalArgumentException("give --images and --labels (an IDX pair), or --numbers DIR");
        }
        LabeledImages data = Idx.read(images, labels);
        if (limit > 0) {
            data = data.head(limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Model loaded = Model.resolve(model != null ? model : env.model(), OnnxClassifier.Threads.DEFAULT)) {
            long start = System.nanoTime();
            Evaluator.Result result = new Evaluator(loaded.classifier()).evaluate(data);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (confusionPng != null) {
                ConfusionChart.write(result.confusion(), String.format("%s on %s: %.2f %%", loaded.version(),
                        images.getFileName(), 100 * result.confusion().accuracy()), confusionPng);
            }
            if (json) {
                out.println(toJson(loaded.version(), result, seconds));
            } else {
                printText(out, loaded.version(), result, seconds);
            }
        }
        out.flush();
        return 0;
    }

    private int evaluateNumbers(CliEnvironment env) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (Model loaded = Model.resolve(model != null ? model : env.model(), OnnxClassifier.Threads.DEFAULT)) {
            NumberEvaluation.Result result = NumberEvaluation.run(new Segmenter(loaded.classifier()), numbers);
            if (json) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("model", loaded.version());
                report.put("numbers", numbers.toString());
                report.put("count", result.count());
                report.put("accuracy", result.accuracy());
                report.put("lengthAccuracy", result.lengthAccuracy());
                report.put("digitAccuracy", result.digitAccuracy());
                report.put("accuracyByLength", result.accuracyByLength());
                report.put("slowest", result.slowest());
                out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } else {
                out.printf("Model %s on %s (%d numbers)%n", loaded.version(), numbers, result.count());
                out.printf("Exact numbers: %.2f %%%n", 100 * result.accuracy());
                out.printf("Length right: %.2f %% (wrong length: %.2f %%)%n", 100 * result.lengthAccuracy(),
                        100 * (1 - result.lengthAccuracy()));
                out.printf("Digits right where the length was: %.2f %%%n", 100 * result.digitAccuracy());
                out.println("Exact numbers by length:");
                result.accuracyByLength().forEach((n, a) -> out.printf("  %d digits: %6.2f %%%n", n, 100 * a));
                out.println("Slowest images:");
                result.slowest().forEach(o -> out.printf("  %s: %.2f ms (%s read as '%s')%n", o.file(), o.millis(),
                        o.label(), o.read()));
            }
        }
        out.flush();
        return 0;
    }

    private String toJson(String version, Evaluator.Result result, double seconds) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", version);
        report.put("images", images.toString());
        report.put("labels", labels.toString());
        report.put("count", result.confusion().count());
        report.put("accuracy", result.confusion().accuracy());
        report.put("perDigit", result.confusion().perDigit());
        report.put("confusion", result.confusion().counts());
        report.put("blank", result.blank());
        report.put("seconds", seconds);
        return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
    }

    private void printText(PrintWriter out, String version, Evaluator.Result result, double seconds) {
        out.printf("Model %s on %s (%d images, %.1f s)%n", version, images, result.confusion().count(), seconds);
        out.printf("Accuracy: %.2f %%%n", 100 * result.confusion().accuracy());
        if (result.blank() > 0) {
            out.printf("Blank images (no ink, counted as wrong): %d%n", result.blank());
        }
        out.println("Accuracy per digit:");
        result.confusion().perDigit().forEach((digit, accuracy) -> out.printf("  %s: %6.2f %%%n", digit, 100 * accuracy));
        out.println("Confusion matrix (rows: true digit, columns: predicted):");
        out.print(result.confusion().toText());
    }
}
