package dev.stratus.server.predict;

/** Every permit for decoding a large image is taken: the client should retry shortly (503). */
public final class DecoderBusyException extends RuntimeException {
    public DecoderBusyException(String message) {
        super(message, null, false, false);
    }
}
