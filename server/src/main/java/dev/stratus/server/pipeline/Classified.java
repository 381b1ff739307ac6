package dev.stratus.server.pipeline;

import dev.stratus.server.store.PredictionRecord;

/**
 * A classification, as it was stored (the record carries the model's version and the time), and
 * how it came about: how long it waited, how long inference took, with how many others.
 */
public record Classified(PredictionRecord record, long queueMicros, long inferenceMicros, int batchSize) {
    /** The same classification with the record as the store holds it. */
    public Classified withRecord(PredictionRecord stored) {
        return stored == record ? this : new Classified(stored, queueMicros, inferenceMicros, batchSize);
    }
}
