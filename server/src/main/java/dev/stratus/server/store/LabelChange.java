package dev.stratus.server.store;

import dev.stratus.core.image.Mnist;
import java.time.Instant;

/**
 * One label a client gave a prediction: what, when, and from which address (the peer address of
 * the connection, as the rate limiter sees it; behind a proxy that is the proxy). A prediction's
 * history of these is what lets {@code export-feedback} leave out labels that look like poisoning.
 */
public record LabelChange(int label, Instant at, String client) {
    /** Longest client address kept: an IPv6 address with a zone fits. */
    public static final int MAX_CLIENT_LENGTH = 64;

    public LabelChange {
        if (label < 0 || label >= Mnist.CLASSES) {
            throw new IllegalArgumentException("label must be 0-9, got " + label);
        }
        if (at == null || client == null || client.isEmpty() || client.length() > MAX_CLIENT_LENGTH) {
            throw new IllegalArgumentException("a label change needs a time and a client address of 1-"
                    + MAX_CLIENT_LENGTH + " characters");
        }
    }
}
