package dev.stratus.server.predict;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.server.pipeline.ClassifiedNumber;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.store.NumberLabel;
import dev.stratus.server.store.NumberRecord;
import dev.stratus.server.store.NumberStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One number from request to record: refuse a blank image at once, then let the pipeline read it
 * where inference runs (segmentation and one classification of its pieces) and store it, and
 * answer with the stored record. Reads and corrections go to the store. Independent of HTTP.
 */
public final class NumberService {
    private final InferencePipeline pipeline;
    private final NumberStore store;
    private final Duration timeout;
    private final Counter read;
    private final Counter refused;
    private final DistributionSummary lengths;

    public NumberService(InferencePipeline pipeline, NumberStore store, Duration timeout, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.store = store;
        this.timeout = timeout;
        this.read = Counter.builder("stratus.numbers.read").description("Numbers read and stored")
                .register(registry);
        this.refused = Counter.builder("stratus.numbers.refused")
                .description("Images refused as numbers: blank, no digit found, or too many digits").register(registry);
        this.lengths = DistributionSummary.builder("stratus.numbers.digits").description("Digits per number read")
                .register(registry);
    }

    /**
     * Reads {@code image} as a number; fails with {@link BadInputException} ({@code blank_image},
     * {@code no_digits}, {@code number_too_long}), {@link InferenceTimeoutException} or a pipeline error.
     */
    public CompletableFuture<NumberView> read(GreyImage image) {
        long start = System.nanoTime();
        if (blank(image)) {
            refused.increment();
            throw new BadInputException("blank_image", "the image has no ink: draw a number first");
        }
        return pipeline.submitNumber(PredictionIds.next(), image)
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((number, failure) -> {
                    if (failure != null) {
                        throw translate(failure);
                    }
                    read.increment();
                    lengths.record(number.record().digits().size());
                    return answer(number, start);
                });
    }

    /** The blank test of the one preprocessing: no pixel is {@link Preprocessor#MIN_INK} from the background. */
    private static boolean blank(GreyImage image) {
        for (float v : Preprocessor.inkOnBlack(image)) {
            if (v >= Preprocessor.MIN_INK) {
                return false;
            }
        }
        return true;
    }

    private RuntimeException translate(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return new InferenceTimeoutException("no answer from the inference pipeline within "
                    + timeout.toMillis() + " ms");
        }
        if (cause instanceof NumberTooLongException tooLong) {
            refused.increment();
            return new BadInputException("number_too_long", tooLong.getMessage());
        }
        if (cause instanceof BlankImageException noDigits) {
            refused.increment();
            return new BadInputException("no_digits", "no digit found: " + noDigits.getMessage());
        }
        return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }

    private static NumberView answer(ClassifiedNumber number, long start) {
        return NumberView.of(number.record(), new NumberView.Timings(number.queueMicros(), number.inferenceMicros(),
                (System.nanoTime() - start) / 1_000));
    }

    /** Empty for an unknown id; one that is not of the issued form never reaches the store. */
    public Optional<NumberView> find(String id) {
        return PredictionIds.isIssued(id) ? store.find(id).map(r -> NumberView.of(r, null)) : Optional.empty();
    }

    /**
     * Records {@code client}'s correction of the whole number; empty for an unknown id. A label
     * that is not one ASCII digit per digit read is a {@link BadInputException} ({@code invalid_label}).
     */
    public Optional<NumberView> label(String id, String label, String client) {
        if (!PredictionIds.isIssued(id)) {
            return Optional.empty();
        }
        Optional<NumberRecord> current = store.find(id);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        String why = NumberRecord.invalidLabel(label, current.get().digits().size());
        if (why != null) {
            throw new BadInputException("invalid_label", why);
        }
        return store.label(id, new NumberLabel(label, Instant.now(), client)).map(r -> NumberView.of(r, null));
    }
}
