package dev.stratus.server.store;

import java.time.Instant;

/** A label change given now by one loopback client, for store tests that care about the label only. */
final class TestLabels {
    static final String CLIENT = "127.0.0.1";

    private TestLabels() {
    }

    static LabelChange now(int label) {
        return new LabelChange(label, Instant.now(), CLIENT);
    }
}
