package dev.stratus.core.mnist;

/** The IDX pair that {@code export-feedback} writes and {@code train --extra} reads. */
public final class FeedbackFiles {
    public static final String IMAGES = "feedback-images-idx3-ubyte";
    public static final String LABELS = "feedback-labels-idx1-ubyte";

    private FeedbackFiles() {
    }
}
