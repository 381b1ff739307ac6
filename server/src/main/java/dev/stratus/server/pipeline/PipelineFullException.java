package dev.stratus.server.pipeline;

/** The pipeline's queue is full: the client should retry later (HTTP 503). */
public final class PipelineFullException extends RuntimeException {
    public PipelineFullException(String message) {
        super(message, null, false, false);
    }
}
