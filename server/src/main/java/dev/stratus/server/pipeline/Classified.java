package dev.stratus.server.pipeline;

import dev.stratus.core.model.Prediction;

/** A classification and how it came about: which model, how long it waited, how long inference took. */
public record Classified(Prediction prediction, String modelVersion, long queueMicros, long inferenceMicros,
                         int batchSize) {
}
