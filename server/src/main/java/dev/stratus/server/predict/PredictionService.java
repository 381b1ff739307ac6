package dev.stratus.server.predict;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.server.pipeline.Classified;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.store.LabelChange;
import dev.stratus.server.store.PredictionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One prediction from request to record: preprocess the image (the core's single
 * implementation), classify and record it through the pipeline, answer with the stored record.
 * Reads and labels go to the store. Independent of HTTP.
 */
public final class PredictionService {
    private final Preprocessor preprocessor = new Preprocessor();
    private final InferencePipeline pipeline;
    private final PredictionStore store;
    private final Duration timeout;
    private final Prechecks prechecks;

    public PredictionService(InferencePipeline pipeline, PredictionStore store, Duration timeout) {
        this.pipeline = pipeline;
        this.store = store;
        this.timeout = timeout;
        this.prechecks = new Prechecks(pipeline, timeout);
    }

    /** Classifies an image; fails with {@link BadInputException}, {@link InferenceTimeoutException} or a pipeline error. */
    public CompletableFuture<PredictionView> predict(GreyImage image) {
        return predict(Drawing.of(image));
    }

    /**
     * Classifies a drawing (an image, or strokes rendered), its verdict from the input's precheck
     * or from the calibrated confidence; fails as {@link #predict(GreyImage)}.
     */
    public CompletableFuture<PredictionView> predict(Drawing drawing) {
        long start = System.nanoTime();
        DigitImage digit;
        try {
            digit = preprocessor.apply(drawing.image());
        } catch (BlankImageException e) {
            throw new BadInputException("blank_image", "the image has no ink: draw a digit first");
        }
        long preprocessMicros = (System.nanoTime() - start) / 1_000;
        String id = PredictionIds.next();
        return prechecks.of(drawing)
                .thenCompose(precheck -> pipeline.submit(id, digit, precheck))
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((classified, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        if (cause instanceof TimeoutException) {
                            throw new InferenceTimeoutException("no answer from the inference pipeline within "
                                    + timeout.toMillis() + " ms");
                        }
                        throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
                    }
                    return answer(classified, preprocessMicros, start);
                });
    }

    /** The answer is the record the pipeline stored, with the timings of this request. */
    private PredictionView answer(Classified classified, long preprocessMicros, long start) {
        PredictionView.Timings timings = new PredictionView.Timings(preprocessMicros, classified.queueMicros(),
                classified.inferenceMicros(), classified.batchSize(), (System.nanoTime() - start) / 1_000);
        return PredictionView.of(classified.record(), timings);
    }

    /** Empty for an unknown id; one that is not of the issued form never reaches the store. */
    public Optional<PredictionView> find(String id) {
        if (!PredictionIds.isIssued(id)) {
            return Optional.empty();
        }
        return store.find(id).map(r -> PredictionView.of(r, null));
    }

    /**
     * Which parts of the stored input moved the stored answer, by the model serving now; empty
     * for an unknown id. An id not of the issued form is {@code invalid_id}; a process without a
     * model throws {@link WhyUnavailableException}.
     */
    public Optional<WhyView> why(String id) {
        if (!PredictionIds.isIssued(id)) {
            throw new BadInputException("invalid_id", "'" + shortened(id) + "' is not a prediction id this server issues");
        }
        return store.find(id).map(record -> {
            float[] pixels = new float[Mnist.PIXELS];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (record.input()[i] & 0xff) / 255f;
            }
            float[] heatmap = pipeline.why(id, new DigitImage(pixels), record.digit())
                    .orElseThrow(() -> new WhyUnavailableException("this gateway runs no model (Kafka mode): the why"
                            + " view is served where the model runs, by embedded servers"));
            return new WhyView(id, record.digit(), heatmap);
        });
    }

    private static String shortened(String id) {
        return id.length() > 40 ? id.substring(0, 40) + "..." : id;
    }

    /** Records {@code client}'s label now; empty for an unknown id, which is not of the issued form never reaches the store. */
    public Optional<PredictionView> label(String id, int label, String client) {
        if (!PredictionIds.isIssued(id)) {
            return Optional.empty();
        }
        return store.label(id, new LabelChange(label, Instant.now(), client)).map(r -> PredictionView.of(r, null));
    }
}
