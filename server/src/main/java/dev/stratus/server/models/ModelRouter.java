package dev.stratus.server.models;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which loaded model answers which request, swapped atomically. A batch takes a {@link Lease}
 * before it classifies and keeps it to the end, so one batch sees one routing: its requests are
 * answered by the active model, or by the canary for the canary's share of request ids, and
 * copied to the shadow; a swap in the middle changes only the batches that start after it. The
 * models a swap leaves out close once the last lease on them is released.
 */
public final class ModelRouter {
    private Routing routing;
    private long generation;

    /** A router that serves {@code active} alone. */
    public ModelRouter(Model active) {
        this.routing = new Routing(new ServedModel(active), null, 0, null);
    }

    /**
     * What serves: the active model, an optional canary with its share (0-1), an optional shadow.
     * Internal: callers see models through a {@link Lease}.
     */
    record Routing(ServedModel active, ServedModel canary, double canaryShare, ServedModel shadow) {
        List<ServedModel> models() {
            List<ServedModel> all = new ArrayList<>(3);
            all.add(active);
            if (canary != null) {
                all.add(canary);
            }
            if (shadow != null) {
                all.add(shadow);
            }
            return all;
        }
    }

    /** The models of one batch, held until closed. */
    public final class Lease implements AutoCloseable {
        private final Routing held;
        private boolean released;

        private Lease(Routing held) {
            this.held = held;
        }

        /** The model that answers {@code requestId}: the canary for its share of ids, else the active one. */
        public Model modelFor(String requestId) {
            if (held.canary() != null && inCanary(requestId, held.canaryShare())) {
                return held.canary().model();
            }
            return held.active().model();
        }

        public Model active() {
            return held.active().model();
        }

        /** The model that classifies a copy of every request, if any. */
        public Optional<Model> shadow() {
            return Optional.ofNullable(held.shadow()).map(ServedModel::model);
        }

        @Override
        public void close() {
            synchronized (ModelRouter.this) {
                if (!released) {
                    released = true;
                    held.models().forEach(ServedModel::release);
                }
            }
        }
    }

    /** Takes the current routing for one batch; close the lease when the batch is classified. */
    public synchronized Lease acquire() {
        routing.models().forEach(ServedModel::acquire);
        return new Lease(routing);
    }

    /** The version that answers most requests now. */
    public synchronized String activeVersion() {
        return routing.active().version();
    }

    /** The version classifying a copy of every request now, if any. */
    public synchronized Optional<String> shadowVersion() {
        return Optional.ofNullable(routing.shadow()).map(ServedModel::version);
    }

    /** The versions loaded now, active first. */
    public synchronized List<String> loadedVersions() {
        return routing.models().stream().map(ServedModel::version).toList();
    }

    /** How many times the routing has changed. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * Routes new batches to these models from now on. Models loaded before and kept are passed
     * again by the same {@link Model} instance ({@link #loaded}); the others retire and close
     * once drained.
     */
    public synchronized void swap(Model active, Model canary, double canaryShare, Model shadow) {
        if (canary != null && !(canaryShare > 0 && canaryShare < 1)) {
            throw new IllegalArgumentException("a canary's share is between 0 and 1, got " + canaryShare);
        }
        Routing old = routing;
        Routing next = new Routing(served(active, old), canary == null ? null : served(canary, old), canaryShare,
                shadow == null ? null : served(shadow, old));
        Set<ServedModel> kept = new HashSet<>(next.models());
        routing = next;
        generation++;
        for (ServedModel m : old.models()) {
            if (!kept.contains(m)) {
                m.retire();
            }
        }
    }

    /** Loads a version that does not serve yet, adding it to {@code loaded} as soon as it is loaded (so it is closed if its checks fail). */
    @FunctionalInterface
    public interface Loader {
        Model load(String version, List<Model> loaded) throws IOException, RegistryException;
    }

    /**
     * Swaps to these versions (canary and shadow may be null): each one serving already is kept,
     * the others loaded once by {@code loader}. If any fails, what was loaded is closed, the
     * routing stays as it was and the failure is thrown.
     */
    public void swapTo(String active, String canary, double share, String shadow, Loader loader)
            throws IOException, RegistryException {
        List<Model> loadedHere = new ArrayList<>();
        try {
            Model a = pick(active, loadedHere, loader);
            Model c = canary == null ? null : pick(canary, loadedHere, loader);
            Model s = shadow == null ? null : pick(shadow, loadedHere, loader);
            swap(a, c, share, s);
        } catch (IOException | RegistryException | RuntimeException e) {
            loadedHere.forEach(Model::close);
            throw e;
        }
    }

    private Model pick(String version, List<Model> loadedHere, Loader loader) throws IOException, RegistryException {
        Optional<Model> kept = loaded(version);
        if (kept.isPresent()) {
            return kept.get();
        }
        for (Model m : loadedHere) {
            if (m.version().equals(version)) {
                return m;
            }
        }
        return loader.load(version, loadedHere);
    }

    /** The loaded model of {@code version}, if the current routing has one, to keep it across a swap. */
    public synchronized Optional<Model> loaded(String version) {
        return routing.models().stream().filter(m -> m.version().equals(version)).findFirst().map(ServedModel::model);
    }

    /** Retires every model; each closes once its batches are done. */
    public synchronized void close() {
        routing.models().forEach(ServedModel::retire);
    }

    private static ServedModel served(Model model, Routing old) {
        for (ServedModel m : old.models()) {
            if (m.model() == model) {
                return m;
            }
        }
        return new ServedModel(model);
    }

    /**
     * Whether a request belongs to the canary's share: a hash of its id, so a retry of the same
     * request goes to the same model and the share holds over any mix of clients.
     */
    static boolean inCanary(String requestId, double share) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < requestId.length(); i++) {
            h = (h ^ requestId.charAt(i)) * 0x100000001b3L;
        }
        return Long.remainderUnsigned(h, 1_000_000) < (long) (share * 1_000_000);
    }
}
