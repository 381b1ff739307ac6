package dev.stratus.core.model;

import dev.stratus.core.config.EnvVar;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model as the contract defines it: the ONNX network and its card. Loaded from a
 * directory, or from the default model that ships inside the core jar.
 */
public final class Model implements AutoCloseable {
    private final ModelCard card;
    private final OnnxClassifier classifier;

    private Model(ModelCard card, OnnxClassifier classifier) {
        this.card = card;
        this.classifier = classifier;
    }

    public ModelCard card() {
        return card;
    }

    public OnnxClassifier classifier() {
        return classifier;
    }

    public String version() {
        return card.version();
    }

    /** Names the model directory to serve when no {@code --model} flag does. */
    public static final EnvVar VARIABLE = new EnvVar("STRATUS_MODEL",
            "Model directory (model.onnx + model-card.json) when --model is not given.", "the shipped model");

    /** The model in {@code directory}, or the shipped default when it is null. */
    public static Model resolve(Path directory, OnnxClassifier.Threads threads) throws ModelLoadException {
        return directory != null ? load(directory, threads) : loadDefault(threads);
    }

    /** Loads {@code model.onnx} and {@code model-card.json} from a directory. */
    public static Model load(Path directory, OnnxClassifier.Threads threads) throws ModelLoadException {
        if (!Files.isDirectory(directory)) {
            throw new ModelLoadException(directory + ": no such model directory");
        }
        Path onnx = directory.resolve(ModelContract.MODEL_FILE);
        Path cardFile = directory.resolve(ModelContract.CARD_FILE);
        if (!Files.isRegularFile(onnx)) {
            throw new ModelLoadException(onnx + ": missing; a model directory holds " + ModelContract.MODEL_FILE
                    + " and " + ModelContract.CARD_FILE);
        }
        if (!Files.isRegularFile(cardFile)) {
            throw new ModelLoadException(cardFile + ": missing; a model directory holds " + ModelContract.MODEL_FILE
                    + " and " + ModelContract.CARD_FILE);
        }
        ModelCard card = ModelCard.read(cardFile);
        try {
            return new Model(card, OnnxClassifier.load(Files.readAllBytes(onnx), onnx.toString(), threads));
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelLoadException(onnx + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** A model from its two files' bytes (as a control message carries them); {@code source} names it in errors. */
    public static Model of(byte[] card, byte[] onnx, String source, OnnxClassifier.Threads threads)
            throws ModelLoadException {
        ModelCard parsed = ModelCard.read(new java.io.ByteArrayInputStream(card), source + " card");
        return new Model(parsed, OnnxClassifier.load(onnx, source, threads));
    }

    /** The model shipped with Stratus. */
    public static Model loadDefault(OnnxClassifier.Threads threads) throws ModelLoadException {
        String base = ModelContract.DEFAULT_RESOURCE;
        ModelCard card;
        try (InputStream in = resource(base + ModelContract.CARD_FILE)) {
            card = ModelCard.read(in, "default model card");
        } catch (IOException e) {
            throw new ModelLoadException("the default model card cannot be read: " + e.getMessage(), e);
        }
        try (InputStream in = resource(base + ModelContract.MODEL_FILE)) {
            return new Model(card, OnnxClassifier.load(in.readAllBytes(), "default model", threads));
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelLoadException("the default model cannot be read: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws ModelLoadException {
        InputStream in = Model.class.getResourceAsStream(name);
        if (in == null) {
            throw new ModelLoadException("the default model is missing from the classpath (" + name
                    + "); was the core module built from a checkout with models/default?");
        }
        return in;
    }

    @Override
    public void close() {
        classifier.close();
    }
}
