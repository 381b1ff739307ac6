package dev.stratus.server.predict;

/** The client sent something that cannot be a digit image; {@code code} is the JSON error code. */
public final class BadInputException extends RuntimeException {
    private final String code;

    public BadInputException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
