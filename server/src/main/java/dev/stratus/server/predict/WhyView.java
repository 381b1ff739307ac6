package dev.stratus.server.predict;

/**
 * The JSON shape of {@code GET /api/v1/predictions/{id}/why}: the stored answer's digit and the
 * occlusion heatmap of its probability over the 28x28 input, row-major.
 */
public record WhyView(String id, int digit, float[] heatmap) {
}
