package dev.stratus.core.model;

import java.io.IOException;

/** A model that cannot be loaded; the message names the file and the problem. */
public final class ModelLoadException extends IOException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
