package dev.stratus.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.Trainer;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelCard;
import dev.stratus.training.network.OnnxExporter;
import java.util.List;

/**
 * A trained network still in DJL's hands, with the history of its training. Export it to ONNX,
 * or ask DJL for its outputs (the reference the ONNX export is checked against). Holds native
 * memory: close it.
 */
public final class TrainingRun implements AutoCloseable {
    private static final int EVAL_BATCH = 1000;

    private final TrainingOptions options;
    private final Model model;
    private final SequentialBlock network;
    private final Trainer trainer;
    private final List<ModelCard.Epoch> epochs;
    private final List<ModelCard.Checkpoint> checkpoints;
    private final double wallSeconds;
    private final Double secondsToReference;

    public TrainingRun(TrainingOptions options, Model model, SequentialBlock network, Trainer trainer,
                List<ModelCard.Epoch> epochs, List<ModelCard.Checkpoint> checkpoints, double wallSeconds,
                Double secondsToReference) {
        this.options = options;
        this.model = model;
        this.network = network;
        this.trainer = trainer;
        this.epochs = List.copyOf(epochs);
        this.checkpoints = List.copyOf(checkpoints);
        this.wallSeconds = wallSeconds;
        this.secondsToReference = secondsToReference;
    }

    public TrainingOptions options() {
        return options;
    }

    public List<ModelCard.Epoch> epochs() {
        return epochs;
    }

    public List<ModelCard.Checkpoint> checkpoints() {
        return checkpoints;
    }

    /** Training time, evaluation pauses excluded. */
    public double wallSeconds() {
        return wallSeconds;
    }

    /** Training seconds until the test accuracy first reached the original's 97.45 %, if it did. */
    public Double secondsToReference() {
        return secondsToReference;
    }

    public byte[] exportOnnx(String version) {
        return OnnxExporter.export(options.architecture(), network, version);
    }

    /** DJL's probabilities for {@code count} preprocessed images (inference mode). */
    public float[] probabilities(float[] pixels, int count) {
        return probabilities(trainer, model, pixels, count);
    }

    static float[] probabilities(Trainer trainer, Model model, float[] pixels, int count) {
        float[] out = new float[count * Mnist.CLASSES];
        for (int start = 0; start < count; start += EVAL_BATCH) {
            int n = Math.min(EVAL_BATCH, count - start);
            float[] chunk = java.util.Arrays.copyOfRange(pixels, start * Mnist.PIXELS, (start + n) * Mnist.PIXELS);
            try (NDManager batch = model.getNDManager().newSubManager()) {
                NDArray x = batch.create(chunk, new Shape(n, 1, Mnist.SIDE, Mnist.SIDE));
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                System.arraycopy(logits.softmax(1).toFloatArray(), 0, out, start * Mnist.CLASSES, n * Mnist.CLASSES);
            }
        }
        return out;
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
