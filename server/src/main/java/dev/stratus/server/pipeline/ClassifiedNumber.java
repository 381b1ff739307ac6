package dev.stratus.server.pipeline;

import dev.stratus.server.store.NumberRecord;

/**
 * A number read from an image, as it was stored, and how it came about: how long it waited for
 * the inference thread and how long its segmentation and one classification took.
 */
public record ClassifiedNumber(NumberRecord record, long queueMicros, long inferenceMicros) {
}
