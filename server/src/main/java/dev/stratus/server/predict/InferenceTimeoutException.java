package dev.stratus.server.predict;

/** The pipeline did not answer in time (HTTP 504). */
public final class InferenceTimeoutException extends RuntimeException {
    public InferenceTimeoutException(String message) {
        super(message, null, false, false);
    }
}
