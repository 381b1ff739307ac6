package dev.stratus.server.predict;

import dev.stratus.core.image.Strokes;
import dev.stratus.core.segment.InkShape;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.server.pipeline.InferencePipeline;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a drawing is before it is read as a digit: too small (too little ink, or a blob the pen
 * filled in: {@link InkShape}; for strokes, less than {@link #MIN_STROKE_EXTENT} units across),
 * or several digits when its ink looks so and the numbers pipeline reads two or more, or neither.
 * A number reading that fails for any reason leaves the drawing to be read as one digit.
 */
final class Prechecks {
    private static final Logger LOG = LoggerFactory.getLogger(Prechecks.class);
    /**
     * Strokes spanning less than this, in the drawing surface's units (the page's canvas pixels),
     * are a dot: the page's pen is 20 px wide, and a tap or a jitter moves it under 8 px.
     */
    static final float MIN_STROKE_EXTENT = 8;

    private final InferencePipeline pipeline;
    private final Duration timeout;

    Prechecks(InferencePipeline pipeline, Duration timeout) {
        this.pipeline = pipeline;
        this.timeout = timeout;
    }

    /** The precheck of {@code drawing}; never fails (a number reading that fails counts as none). */
    CompletableFuture<Precheck> of(Drawing drawing) {
        Strokes strokes = drawing.strokes();
        if (strokes != null && strokes.extent() < MIN_STROKE_EXTENT) {
            return CompletableFuture.completedFuture(Precheck.TOO_SMALL);
        }
        InkShape shape = InkShape.of(drawing.image());
        if (strokes == null && shape.tooSmall()) {
            return CompletableFuture.completedFuture(Precheck.TOO_SMALL);
        }
        if (!shape.maybeSeveral()) {
            return CompletableFuture.completedFuture(Precheck.NONE);
        }
        try {
            return pipeline.submitNumber(PredictionIds.next(), drawing.image())
                    .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .handle((number, failure) -> {
                        if (failure != null) {
                            LOG.debug("no number read from a wide drawing, read as one digit: {}", failure.toString());
                            return Precheck.NONE;
                        }
                        String digits = number.record().number();
                        return digits.length() >= 2 ? Precheck.several(digits) : Precheck.NONE;
                    });
        } catch (RuntimeException e) {
            LOG.debug("no number read from a wide drawing, read as one digit: {}", e.toString());
            return CompletableFuture.completedFuture(Precheck.NONE);
        }
    }
}
