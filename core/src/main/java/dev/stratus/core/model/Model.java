package dev.stratus.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    /** The model directory given, else {@code STRATUS_MODEL}, else the shipped default. */
    public static Model resolve(Path directory, Map<String, String> env, OnnxClassifier.Threads threads)
            throws ModelLoadException {
        if (directory != null) {
            return load(directory, threads);
        }
        String fromEnv = env.get("STRATUS_MODEL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return load(Path.of(fromEnv), threads);
        }
        return loadDefault(threads);
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
