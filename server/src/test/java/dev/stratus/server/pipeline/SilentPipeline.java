package dev.stratus.server.pipeline;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A pipeline that takes every digit and number and never answers (the timeout paths, and a
 * model that runs elsewhere, deterministically); ready while {@code ready} says so.
 */
public final class SilentPipeline implements InferencePipeline {
    /** Every digit's and number's result, in the order submitted. */
    public final List<CompletableFuture<?>> submitted = new CopyOnWriteArrayList<>();
    private final BooleanSupplier ready;

    public SilentPipeline() {
        this(() -> true);
    }

    public SilentPipeline(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    public CompletableFuture<Classified> submit(String requestId, DigitImage image) {
        CompletableFuture<Classified> never = new CompletableFuture<>();
        submitted.add(never);
        return never;
    }

    @Override
    public CompletableFuture<ClassifiedNumber> submitNumber(String requestId, GreyImage image) {
        CompletableFuture<ClassifiedNumber> never = new CompletableFuture<>();
        submitted.add(never);
        return never;
    }

    @Override
    public boolean ready() {
        return ready.getAsBoolean();
    }

    @Override
    public int queueDepth() {
        return 0;
    }

    @Override
    public void close() {
    }
}
