package dev.stratus.core.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Classifies digit images with ONNX Runtime. Thread-safe: a session serves concurrent callers
 * (ONNX Runtime's {@code run} is safe to call from many threads). Holds native memory: close it.
 */
public final class OnnxClassifier implements AutoCloseable {
    /** Images per network call in {@link #probabilities}. */
    static final int CHUNK = 256;
    /** Each calling thread's input buffer, grown to its largest batch (at most {@value #CHUNK} images, 800 KB). */
    private static final ThreadLocal<FloatBuffer> INPUT = new ThreadLocal<>();

    /**
     * Threading of the sessions; {@code 0} lets ONNX Runtime choose (one thread per core). With
     * {@code spin}, its pool threads spin between calls rather than sleep: the fastest for a
     * process that does nothing else, and a core's worth of waste for one that shares its cores
     * with other work between batches. Batches of at most {@code smallBatch} images (0: none)
     * go to a second, single-threaded session: for one or two images, waking and joining a pool
     * costs more than the work it shares.
     */
    public record Threads(int intraOp, int interOp, boolean spin, int smallBatch) {
        public static final Threads DEFAULT = new Threads(0, 0, true, 0);
        public static final Threads SINGLE = new Threads(1, 1, true, 0);
        /**
         * For servers: one thread per core, asleep between batches, for large batches; one
         * thread for batches of up to 8. In the first 12 s after ready at 1,000 requests/s
         * (batches of one to three) the server used 8.0-10.6 CPU-seconds this way, against
         * 10.9-12.5 with the pool for every batch.
         */
        public static final Threads SERVING = new Threads(0, 0, false, 8);
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    /** The single-threaded session for small batches; {@link #session} where there is none. */
    private final OrtSession small;
    private final int smallBatch;
    private final String source;

    private OnnxClassifier(OrtSession session, OrtSession small, int smallBatch, String source) {
        this.session = session;
        this.small = small;
        this.smallBatch = smallBatch;
        this.source = source;
    }

    /** Loads an ONNX model from its bytes; {@code source} names it in error messages. */
    public static OnnxClassifier load(byte[] onnx, String source, Threads threads) throws ModelLoadException {
        OrtSession session = null;
        OrtSession small = null;
        try {
            session = createSession(onnx, threads.intraOp(), threads.interOp(), threads.spin());
            checkContract(session, source);
            boolean split = threads.smallBatch() > 0 && threads.intraOp() != 1
                    && Runtime.getRuntime().availableProcessors() > 1;
            small = split ? createSession(onnx, 1, 1, threads.spin()) : session;
            return new OnnxClassifier(session, small, split ? threads.smallBatch() : 0, source);
        } catch (OrtException e) {
            closeQuietly(session, small);
            throw new ModelLoadException(source + ": not a usable ONNX model (" + firstLine(e.getMessage()) + ")", e);
        } catch (ModelLoadException e) {
            closeQuietly(session, small);
            throw e;
        }
    }

    private static OrtSession createSession(byte[] onnx, int intraOp, int interOp, boolean spin) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOp > 0) {
                options.setIntraOpNumThreads(intraOp);
            }
            if (interOp > 0) {
                options.setInterOpNumThreads(interOp);
            }
            if (!spin) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.addConfigEntry("session.inter_op.allow_spinning", "0");
            }
            return OrtEnvironment.getEnvironment().createSession(onnx, options);
        }
    }

    public Prediction classify(DigitImage image) {
        return classifyBatch(List.of(image)).get(0);
    }

    /**
     * Classifies many images in one call to the network (per {@value #CHUNK}); the answers come
     * in the same order. The pixels go into this thread's direct buffer, which ONNX Runtime reads
     * in place: nothing of the batch is allocated on the heap or copied a second time.
     */
    public List<Prediction> classifyBatch(List<DigitImage> images) {
        List<Prediction> predictions = new ArrayList<>(images.size());
        float[] probabilities = new float[Math.min(CHUNK, images.size()) * Mnist.CLASSES];
        for (int start = 0; start < images.size(); start += CHUNK) {
            int n = Math.min(CHUNK, images.size() - start);
            FloatBuffer input = inputBuffer(n);
            for (int i = start; i < start + n; i++) {
                input.put(images.get(i).pixels());
            }
            run(input.flip(), n, probabilities, 0);
            for (int i = 0; i < n; i++) {
                predictions.add(Prediction.of(
                        Arrays.copyOfRange(probabilities, i * Mnist.CLASSES, (i + 1) * Mnist.CLASSES)));
            }
        }
        return predictions;
    }

    /**
     * The raw network: {@code count} images of 784 pixels, concatenated, to {@code count x 10}
     * probabilities. The fastest path for batch work such as evaluation: large sets go through
     * in chunks of {@value #CHUNK} images, whose activations stay in the CPU caches (10,000
     * images at once means close to a gigabyte of activations, and several times the time).
     */
    public float[] probabilities(float[] pixels, int count) {
        if (pixels.length != count * Mnist.PIXELS) {
            throw new IllegalArgumentException(count + " images need " + count * Mnist.PIXELS + " values, got "
                    + pixels.length);
        }
        float[] probabilities = new float[count * Mnist.CLASSES];
        for (int start = 0; start < count; start += CHUNK) {
            int n = Math.min(CHUNK, count - start);
            FloatBuffer input = inputBuffer(n).put(pixels, start * Mnist.PIXELS, n * Mnist.PIXELS).flip();
            run(input, n, probabilities, start * Mnist.CLASSES);
        }
        return probabilities;
    }

    /** Runs the network on the {@code n} images in {@code input}; their probabilities go to {@code out} at {@code offset}. */
    private void run(FloatBuffer input, int n, float[] out, int offset) {
        long[] shape = {n, 1, Mnist.SIDE, Mnist.SIDE};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result result = (n <= smallBatch ? small : session).run(Map.of(ModelContract.INPUT, tensor))) {
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(out, offset, n * Mnist.CLASSES);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": inference failed: " + e.getMessage(), e);
        }
    }

    /** This thread's input buffer, direct (ONNX Runtime reads it without a copy), empty, for {@code images}. */
    private static FloatBuffer inputBuffer(int images) {
        FloatBuffer buffer = INPUT.get();
        if (buffer == null || buffer.capacity() < images * Mnist.PIXELS) {
            int capacity = Math.max(images, 64) * Mnist.PIXELS;
            buffer = ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            INPUT.set(buffer);
        }
        return buffer.clear().limit(images * Mnist.PIXELS);
    }

    @Override
    public void close() {
        closeQuietly(session, small);
    }

    private static void checkContract(OrtSession session, String source) throws OrtException, ModelLoadException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        if (!inputs.containsKey(ModelContract.INPUT) || !outputs.containsKey(ModelContract.OUTPUT)) {
            throw new ModelLoadException(source + ": the model has inputs " + inputs.keySet() + " and outputs "
                    + outputs.keySet() + ", but the Stratus contract is input '" + ModelContract.INPUT
                    + "' [N,1,28,28] and output '" + ModelContract.OUTPUT + "' [N,10]");
        }
        long[] in = ((TensorInfo) inputs.get(ModelContract.INPUT).getInfo()).getShape();
        long[] out = ((TensorInfo) outputs.get(ModelContract.OUTPUT).getInfo()).getShape();
        if (in.length != 4 || in[1] != 1 || in[2] != Mnist.SIDE || in[3] != Mnist.SIDE
                || out.length != 2 || out[1] != Mnist.CLASSES) {
            throw new ModelLoadException(source + ": input shape " + Arrays.toString(in) + " and output shape "
                    + Arrays.toString(out) + " do not match the contract [N,1,28,28] -> [N,10]");
        }
    }

    /** Closes both sessions; {@code small} may be {@code session} itself, closed once. */
    private static void closeQuietly(OrtSession session, OrtSession small) {
        closeQuietly(session);
        if (small != session) {
            closeQuietly(small);
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // Closing releases native memory; there is nothing more to do if it fails.
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
