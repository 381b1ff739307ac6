package dev.stratus.cluster;

/** A child process did not become ready; the message carries the tail of its log. */
public final class StartupFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupFailedException(String message) {
        super(message);
    }

    public StartupFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
