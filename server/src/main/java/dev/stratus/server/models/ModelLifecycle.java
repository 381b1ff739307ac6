package dev.stratus.server.models;

import dev.stratus.core.model.registry.ModelRegistry;

/**
 * The run-time model management of an embedded server serving from a registry: the registry, the
 * router that swaps between its versions, the watcher that follows it, and the meters that compare
 * versions. What {@code GET /api/v1/models} reads.
 */
public record ModelLifecycle(ModelRegistry registry, ModelRouter router, RegistryWatcher watcher,
                             ShadowRunner shadows, VersionMeters versions) {
}
