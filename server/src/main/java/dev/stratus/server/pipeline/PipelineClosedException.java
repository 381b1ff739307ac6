package dev.stratus.server.pipeline;

/**
 * The pipeline is stopping or has stopped: this instance will not answer again, so a retry
 * belongs on another one (HTTP 503 without Retry-After).
 */
public final class PipelineClosedException extends PipelineException {
    public PipelineClosedException(String message) {
        super(message);
    }
}
