package dev.stratus.core.segment;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The segmentation verifier: an 11-class network (the ten digits and {@link #NOT_ONE_DIGIT})
 * trained on the pieces the {@link Lattice} cuts from numbers composed of MNIST training digits.
 * The digit model has only ever seen whole single digits and reads half a 0 or two squeezed
 * digits as a confident digit; this network has seen those pieces, labelled as not one digit,
 * and tells them apart. Same input as the digit model ({@link ModelContract#INPUT}, [N,1,28,28]);
 * output [N,11] probabilities. Thread-safe; holds native memory: close it.
 */
public final class PieceVerifier implements AutoCloseable {
    /** The class of a piece that is not exactly one digit: a fragment, two digits, a digit and a neighbour's part. */
    public static final int NOT_ONE_DIGIT = 10;
    public static final int CLASSES = 11;
    /** Where the shipped verifier lies on the classpath (core's resources, so every process has it). */
    public static final String DEFAULT_RESOURCE = "/stratus/models/verifier/verifier.onnx";
    private static final int CHUNK = 256;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String source;

    private PieceVerifier(OrtSession session, String source) {
        this.session = session;
        this.source = source;
    }

    /** The shipped verifier, from {@value #DEFAULT_RESOURCE}. */
    public static PieceVerifier loadDefault() {
        try (InputStream in = PieceVerifier.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the segmentation verifier " + DEFAULT_RESOURCE
                        + " is not on the classpath: core's jar is incomplete");
            }
            return load(in.readAllBytes(), DEFAULT_RESOURCE);
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** A verifier from ONNX bytes; {@code source} names it in error messages. */
    public static PieceVerifier load(byte[] onnx, String source) throws ModelLoadException {
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // A number's pieces come as one batch of dozens: the pool's threads share it; they sleep between batches.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = OrtEnvironment.getEnvironment().createSession(onnx, options);
            checkContract(session, source);
            return new PieceVerifier(session, source);
        } catch (OrtException e) {
            close(session);
            throw new ModelLoadException(source + ": not a usable ONNX model (" + e.getMessage() + ")", e);
        } catch (ModelLoadException e) {
            close(session);
            throw e;
        }
    }

    /** {@value #CLASSES} probabilities for each image, concatenated, in the images' order. */
    public float[] probabilities(List<DigitImage> images) {
        float[] out = new float[images.size() * CLASSES];
        for (int start = 0; start < images.size(); start += CHUNK) {
            int n = Math.min(CHUNK, images.size() - start);
            FloatBuffer input = FloatBuffer.allocate(n * Mnist.PIXELS);
            for (int i = start; i < start + n; i++) {
                input.put(images.get(i).pixels());
            }
            input.flip();
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {n, 1, Mnist.SIDE, Mnist.SIDE});
                 OrtSession.Result result = session.run(Map.of(ModelContract.INPUT, tensor))) {
                ((OnnxTensor) result.get(0)).getFloatBuffer().get(out, start * CLASSES, n * CLASSES);
            } catch (OrtException e) {
                throw new IllegalStateException(source + ": inference failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static void checkContract(OrtSession session, String source) throws OrtException, ModelLoadException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        if (!inputs.containsKey(ModelContract.INPUT) || !outputs.containsKey(ModelContract.OUTPUT)) {
            throw new ModelLoadException(source + ": a verifier has input '" + ModelContract.INPUT + "' and output '"
                    + ModelContract.OUTPUT + "', this model " + inputs.keySet() + " and " + outputs.keySet());
        }
        long[] out = ((TensorInfo) outputs.get(ModelContract.OUTPUT).getInfo()).getShape();
        if (out.length != 2 || out[1] != CLASSES) {
            throw new ModelLoadException(source + ": a verifier answers [N," + CLASSES + "], this model "
                    + Arrays.toString(out));
        }
    }

    @Override
    public void close() {
        close(session);
    }

    private static void close(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // Closing releases native memory; there is nothing more to do if it fails.
            }
        }
    }
}
