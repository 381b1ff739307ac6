package dev.stratus.core.model.registry;

/**
 * A registry change that is refused: an unknown or retired version, a model that does not load or
 * fails its smoke test, a version that is already there. The message says which and why; nothing
 * was changed.
 */
public final class RegistryException extends Exception {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
