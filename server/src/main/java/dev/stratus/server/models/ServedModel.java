package dev.stratus.server.models;

import dev.stratus.core.model.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded model and the batches running on it. A swap retires it; it closes its ONNX Runtime
 * sessions only when the last batch that took it has released it, so a batch never loses its
 * model halfway and a retired model never lingers once drained.
 */
final class ServedModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServedModel.class);

    private final Model model;
    private int users;
    private boolean retired;
    private boolean closed;

    ServedModel(Model model) {
        this.model = model;
    }

    Model model() {
        return model;
    }

    String version() {
        return model.version();
    }

    /** Called under the router's lock. */
    void acquire() {
        if (closed) {
            throw new IllegalStateException(version() + " is closed");
        }
        users++;
    }

    /** Called under the router's lock; closes the model if it was retired and this was its last batch. */
    void release() {
        users--;
        closeIfDrained();
    }

    /** Called under the router's lock. */
    void retire() {
        retired = true;
        closeIfDrained();
    }

    boolean closed() {
        return closed;
    }

    private void closeIfDrained() {
        if (retired && users == 0 && !closed) {
            closed = true;
            model.close();
            LOG.info("model {} drained and closed", version());
        }
    }
}
