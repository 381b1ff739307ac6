package dev.stratus.server.models;

import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.RegistryState;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * An admin action (promote, rollback, canary, shadow, retire) applied to a registry, then
 * followed by whatever serves from it: an embedded server's {@link RegistryWatcher} swaps its
 * router, a Kafka gateway checks the new versions and publishes the routing to the control topic.
 * The one implementation behind {@code POST /api/v1/models/{action}} in both modes.
 */
public final class ModelAdmin {
    public static final Set<String> ACTIONS = Set.of("promote", "rollback", "canary", "shadow", "retire");

    /** Brings what serves in line with the registry's state. */
    @FunctionalInterface
    public interface Follower {
        /** Follows the registry's current state; the reason when that state is refused. */
        Optional<String> follow() throws IOException;
    }

    /** The registry's state after an action, and the reason it was refused, if it was. */
    public record Outcome(RegistryState state, Optional<String> refused) {
    }

    private final ModelRegistry registry;
    private final Follower follower;

    public ModelAdmin(ModelRegistry registry, Follower follower) {
        this.registry = registry;
        this.follower = follower;
    }

    /** An embedded server's admin: the watcher swaps its router at once. */
    public static ModelAdmin embedded(ModelRegistry registry, RegistryWatcher watcher) {
        return new ModelAdmin(registry, () -> {
            watcher.check();
            return watcher.lastRefusal();
        });
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * Writes {@code action} to the registry ({@code version} null for a rollback or to stop a canary
     * or shadow; {@code share} for a canary), then has the servers follow it. A change the registry
     * refuses throws; one whose model does not load or fails its smoke test comes back refused.
     */
    public synchronized Outcome apply(String action, String version, double share) throws IOException, RegistryException {
        switch (action) {
            case "promote" -> registry.promote(version);
            case "rollback" -> registry.rollback();
            case "retire" -> registry.retire(version);
            case "shadow" -> registry.shadow(version);
            case "canary" -> registry.canary(version, share);
            default -> throw new IllegalArgumentException("no model action '" + action + "'");
        }
        Optional<String> refused = follower.follow();
        return new Outcome(registry.state(), refused);
    }
}
