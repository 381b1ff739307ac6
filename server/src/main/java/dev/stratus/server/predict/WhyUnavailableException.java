package dev.stratus.server.predict;

/** The why view needs a model in this process, and this gateway has none (Kafka mode): 501. */
public final class WhyUnavailableException extends RuntimeException {
    public WhyUnavailableException(String message) {
        super(message, null, false, false);
    }
}
