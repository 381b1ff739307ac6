package dev.stratus.containers;

/** An image, a container or a played manifest that does not do what it must; the message says which and why. */
public final class ContainerFailure extends RuntimeException {
    public ContainerFailure(String message) {
        super(message);
    }
}
