package dev.stratus.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.verdict.Calibration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a model is and how well it does: written by training next to {@code model.onnx}, read by
 * serving and evaluation. Field names are the JSON contract.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
        int formatVersion,
        String version,
        String createdAt,
        Architecture architecture,
        Map<String, Object> hyperParameters,
        Map<String, String> dataSha256,
        Evaluation test,
        Training training,
        Machine machine,
        Gate gate,
        Calibration calibration) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A card without a calibration (one written before issue 17, or by training before a fit). */
    public ModelCard(int formatVersion, String version, String createdAt, Architecture architecture,
                     Map<String, Object> hyperParameters, Map<String, String> dataSha256, Evaluation test,
                     Training training, Machine machine, Gate gate) {
        this(formatVersion, version, createdAt, architecture, hyperParameters, dataSha256, test, training, machine,
                gate, null);
    }

    /** The network: a name, its layers in order, and its size. */
    public record Architecture(String name, List<String> layers, long parameters, long multiplyAdds) {
    }

    /** Accuracy on a labelled set, overall, per digit, and the confusion matrix (rows: truth). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Evaluation(String dataset, int count, double accuracy, Map<String, Double> perDigit,
                             int[][] confusion) {
    }

    /** How training went: the wall time, each epoch, and how soon a reference accuracy was reached. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(double wallSeconds, List<Epoch> epochs, List<Checkpoint> checkpoints,
                           Double secondsToReference, Double referenceAccuracy, Map<String, Object> distributed) {
    }

    /** One epoch's averages on the training stream and on the held-out validation set. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, Double validationLoss,
                        Double validationAccuracy, double seconds, double imagesPerSecond) {
    }

    /** The test accuracy measured after some training time (evaluation time not counted). */
    public record Checkpoint(double trainingSeconds, long images, double testAccuracy) {
    }

    /**
     * The retraining gate's decision on this model: accepted into the registry or refused, against
     * which active version, with both models' scores on the MNIST test set and on the users'
     * held-back corrections, and the tolerance the candidate had.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Gate(String decision, String against, double tolerance, double mnistCandidate, double mnistActive,
                       Double feedbackCandidate, Double feedbackActive, int feedbackHeldBack, int feedbackTrained,
                       String reason, String decidedAt) {
    }

    /** The same card with the gate's decision. */
    public ModelCard withGate(Gate value) {
        return new ModelCard(formatVersion, version, createdAt, architecture, hyperParameters, dataSha256, test,
                training, machine, value, calibration);
    }

    /** The same card with this calibration. */
    public ModelCard withCalibration(Calibration value) {
        return new ModelCard(formatVersion, version, createdAt, architecture, hyperParameters, dataSha256, test,
                training, machine, gate, value);
    }

    /** The calibration to serve with: the card's, or none (temperature 1.0, the default threshold). */
    public Calibration calibrationOrNone() {
        return calibration != null ? calibration : Calibration.NONE;
    }

    /** Where it was trained. */
    public record Machine(int cores, String os, String java) {
        public static Machine current() {
            return new Machine(Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    System.getProperty("java.version"));
        }
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static ModelCard read(Path file) throws ModelLoadException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read the model card (" + e.getMessage() + ")", e);
        }
    }

    public static ModelCard read(InputStream in, String source) throws ModelLoadException {
        try {
            ModelCard card = JSON.readValue(in, ModelCard.class);
            if (card.version() == null || card.version().isBlank()) {
                throw new ModelLoadException(source + ": the model card has no version");
            }
            if (card.formatVersion() != FORMAT_VERSION) {
                // Fields of another format may mean something else: refuse rather than misread them.
                throw new ModelLoadException(source + ": the model card is format " + card.formatVersion()
                        + ", but this Stratus reads format " + FORMAT_VERSION);
            }
            return card;
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelLoadException(source + ": not a valid model card (" + e.getMessage() + ")", e);
        }
    }
}
