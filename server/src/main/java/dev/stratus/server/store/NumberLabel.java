package dev.stratus.server.store;

import java.time.Instant;

/** One correction a client gave a number: the whole number as text, when, and from which address. */
public record NumberLabel(String label, Instant at, String client) {

    public NumberLabel {
        if (label == null || label.isEmpty() || at == null || client == null || client.isEmpty()
                || client.length() > LabelChange.MAX_CLIENT_LENGTH) {
            throw new IllegalArgumentException("a number's label change needs a label, a time and a client address of 1-"
                    + LabelChange.MAX_CLIENT_LENGTH + " characters");
        }
    }
}
