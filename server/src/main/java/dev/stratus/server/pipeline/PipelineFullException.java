package dev.stratus.server.pipeline;

/** The pipeline holds all the work it may: the client should retry shortly (HTTP 503, Retry-After). */
public final class PipelineFullException extends PipelineException {
    public PipelineFullException(String message) {
        super(message);
    }
}
