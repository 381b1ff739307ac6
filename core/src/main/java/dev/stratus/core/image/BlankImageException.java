package dev.stratus.core.image;

/** The image holds no ink to recognise: a blank canvas is an error, not a guess. */
public final class BlankImageException extends IllegalArgumentException {
    public BlankImageException(String message) {
        super(message);
    }
}
