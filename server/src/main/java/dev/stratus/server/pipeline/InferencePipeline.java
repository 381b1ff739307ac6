package dev.stratus.server.pipeline;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.verdict.Precheck;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the gateway sends preprocessed digits to be classified and recorded: in-process here,
 * through Kafka in distributed mode. The answer arrives asynchronously, once the prediction is
 * recorded, and is the record itself. A pipeline that cannot take the work refuses at once with a
 * {@link PipelineException} naming why (full, closed, broker failed) rather than queueing without
 * bound.
 */
public interface InferencePipeline extends AutoCloseable {

    /** Queues one digit; completes with the stored classification, or exceptionally. Never blocks. */
    CompletableFuture<Classified> submit(String requestId, DigitImage image);

    /**
     * As {@link #submit(String, DigitImage)}, with what the gateway found in the input before
     * preprocessing: the stored record's verdict is the precheck's, or else the calibrated
     * confidence's. A pipeline that keeps no verdicts (a test's) may ignore it.
     */
    default CompletableFuture<Classified> submit(String requestId, DigitImage image, Precheck precheck) {
        return submit(requestId, image);
    }

    /**
     * Queues a whole image to be read as a number: segmented and its digits classified in one
     * batch where inference runs, counted against the same bounds as digits. Completes with the
     * stored number, or exceptionally: besides the pipeline's own failures, with
     * {@link dev.stratus.core.image.BlankImageException} when no digit is found and
     * {@link dev.stratus.core.segment.NumberTooLongException} when there are too many. Never blocks.
     */
    CompletableFuture<ClassifiedNumber> submitNumber(String requestId, GreyImage image);

    /**
     * The occlusion heatmap ({@link dev.stratus.core.explain.Occlusion}) of {@code digit} on
     * {@code input}, computed in one batch by the model that would answer {@code id} now; empty
     * where this process runs no model (a Kafka gateway).
     */
    default Optional<float[]> why(String id, DigitImage input, int digit) {
        return Optional.empty();
    }

    /** True while the pipeline accepts and answers work. */
    boolean ready();

    /** Digits waiting to be classified. */
    int queueDepth();

    /** The version of the model that answers, where this process runs it; empty when workers elsewhere do. */
    default Optional<String> modelVersion() {
        return Optional.empty();
    }

    @Override
    void close();
}
