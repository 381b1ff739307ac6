package dev.stratus.server.pipeline;

/**
 * The message broker behind a distributed pipeline failed the request: it could not be reached
 * ({@link Kind#UNAVAILABLE}, HTTP 503) or it answered with a refusal ({@link Kind#REFUSED}, HTTP
 * 502, the upstream's error).
 */
public final class BrokerException extends PipelineException {

    /** How the broker failed. */
    public enum Kind { UNAVAILABLE, REFUSED }

    private final Kind kind;

    public BrokerException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
