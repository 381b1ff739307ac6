package dev.stratus.core.model;

/**
 * The ONNX model contract shared by the exporter and the classifier: one float input
 * {@code [batch, 1, 28, 28]} holding a {@link dev.stratus.core.image.DigitImage}'s pixels, one
 * float output {@code [batch, 10]} holding probabilities that sum to 1.
 */
public final class ModelContract {
    public static final String INPUT = "image";
    public static final String OUTPUT = "probabilities";
    public static final String MODEL_FILE = "model.onnx";
    public static final String CARD_FILE = "model-card.json";
    public static final String CURVES_FILE = "training-curves.png";
    public static final String CONFUSION_FILE = "confusion-matrix.png";
    /** Where the shipped default model lies on the classpath. */
    public static final String DEFAULT_RESOURCE = "/stratus/models/default/";

    private ModelContract() {
    }
}
