package dev.stratus.server.pipeline;

import dev.stratus.server.store.PredictionRecord;

/**
 * A classification, as it was stored (the record carries the model's version and the time), and
 * how it came about: how long it waited, how long inference took, with how many others.
 */
public record Classified(PredictionRecord record, long queueMicros, long inferenceMicros, int batchSize) {
}
