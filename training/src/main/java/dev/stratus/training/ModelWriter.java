package dev.stratus.training;

import dev.stratus.core.chart.ConfusionChart;
import dev.stratus.core.chart.LineChart;
import dev.stratus.core.evaluation.ConfusionMatrix;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import dev.stratus.training.augment.Outliers;
import dev.stratus.training.network.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model directory from a finished run: the ONNX export, its card with the test figures
 * measured through ONNX Runtime (what will be served, not what DJL computed), and the two plots.
 */
public final class ModelWriter {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private ModelWriter() {
    }

    public static ModelCard write(TrainingRun run, TrainingData data, Map<String, String> dataSha256,
                                  Map<String, Object> distributed, Path directory) throws IOException {
        Files.createDirectories(directory);
        Instant now = Instant.now();
        TrainingOptions options = run.options();
        Architecture architecture = options.architecture();
        String version = architecture.name() + "-" + STAMP.format(now);
        byte[] onnx = run.exportOnnx(version);
        Files.write(directory.resolve(ModelContract.MODEL_FILE), onnx);

        ConfusionMatrix confusion = new ConfusionMatrix();
        try (OnnxClassifier classifier = OnnxClassifier.load(onnx, version, OnnxClassifier.Threads.DEFAULT)) {
            TrainingData.Labelled test = data.test();
            float[] probabilities = classifier.probabilities(test.pixels(), test.count());
            for (int i = 0; i < test.count(); i++) {
                confusion.add(test.labels()[i], Prediction.argMax(probabilities, i));
            }
        }

        ModelCard card = new ModelCard(
                ModelCard.FORMAT_VERSION,
                version,
                now.toString(),
                new ModelCard.Architecture(architecture.name(), architecture.describe(), architecture.parameters(),
                        architecture.multiplyAdds()),
                hyperParameters(options, data),
                dataSha256,
                confusion.toEvaluation("MNIST test (10,000 images), through the serving preprocessing"),
                new ModelCard.Training(run.wallSeconds(), run.epochs(), run.checkpoints(), run.secondsToReference(),
                        TrainingOptions.REFERENCE_ACCURACY, distributed),
                ModelCard.Machine.current(),
                null);
        card.write(directory.resolve(ModelContract.CARD_FILE));
        writeCurves(card, directory.resolve(ModelContract.CURVES_FILE));
        ConfusionChart.write(confusion, String.format("%s: %.2f %% on the MNIST test set", version,
                100 * confusion.accuracy()), directory.resolve(ModelContract.CONFUSION_FILE));
        return card;
    }

    private static Map<String, Object> hyperParameters(TrainingOptions options, TrainingData data) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("optimizer", "adam");
        values.put("loss", options.outliers() > 0
                ? "softmax cross-entropy; for outliers, " + Outliers.WEIGHT + " x cross-entropy to the uniform distribution"
                : "softmax cross-entropy");
        values.put("epochs", options.epochs());
        values.put("batchSize", options.batchSize());
        values.put("learningRate", options.learningRate());
        values.put("schedule", options.schedule().name().toLowerCase());
        values.put("seed", options.seed());
        values.put("validationSplit", options.validationSplit());
        values.put("trainImages", data.trainIndices().length);
        values.put("validationImages", data.validation().count());
        values.put("augmentation", options.augmentation().enabled() ? options.augmentation() : "none");
        if (options.outliers() > 0) {
            values.put("outliersPerDigit", options.outliers());
        }
        values.put("pytorchThreads", options.threads() == 0 ? "default" : options.threads());
        return values;
    }

    private static void writeCurves(ModelCard card, Path file) throws IOException {
        List<ModelCard.Epoch> epochs = card.training().epochs();
        double[] x = epochs.stream().mapToDouble(ModelCard.Epoch::epoch).toArray();
        double[] trainLoss = epochs.stream().mapToDouble(ModelCard.Epoch::trainLoss).toArray();
        double[] validationLoss = epochs.stream()
                .mapToDouble(e -> e.validationLoss() == null ? Double.NaN : e.validationLoss()).toArray();
        double[] trainAccuracy = epochs.stream().mapToDouble(e -> 100 * e.trainAccuracy()).toArray();
        double[] validationAccuracy = epochs.stream()
                .mapToDouble(e -> e.validationAccuracy() == null ? Double.NaN : 100 * e.validationAccuracy())
                .toArray();
        LineChart.write(card.version() + ": training curves", List.of(
                new LineChart.Panel("Loss (softmax cross-entropy)", "epoch", "loss", List.of(
                        new LineChart.Series("train (augmented)", x, trainLoss),
                        new LineChart.Series("validation", x, validationLoss))),
                new LineChart.Panel("Accuracy", "epoch", "accuracy %", List.of(
                        new LineChart.Series("train (augmented)", x, trainAccuracy),
                        new LineChart.Series("validation", x, validationAccuracy)))), file);
    }
}
