package dev.stratus.server.models;

import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code GET /api/v1/models} answers: every registered version with its role, a summary of
 * its card and its live meters on this server (requests, batch latency, corrections received),
 * and the shadow's agreement with the answers users got. Built from the registry and the meters
 * at the time of the request.
 */
public final class ModelsView {
    private ModelsView() {
    }

    /** The view of a server that follows {@code lifecycle}'s registry. */
    public static Map<String, Object> of(ModelLifecycle lifecycle) throws IOException {
        ModelRegistry registry = lifecycle.registry();
        VersionMeters meters = lifecycle.versions();
        RegistryState state = registry.state();
        List<String> loaded = lifecycle.router().loadedVersions();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("managed", true);
        view.put("serving", lifecycle.router().activeVersion());
        view.put("active", state.active());
        view.put("previous", state.previous());
        view.put("canary", state.canary());
        view.put("shadow", state.shadow());
        lifecycle.watcher().lastRefusal().ifPresent(reason -> view.put("refused", reason));
        List<Map<String, Object>> versions = new ArrayList<>();
        for (ModelRegistry.Entry e : registry.list()) {
            versions.add(version(e, loaded.contains(e.version()), meters));
        }
        view.put("versions", versions);
        if (state.shadow() != null) {
            view.put("shadowAgreement", shadow(state.shadow(), meters, lifecycle.shadows()));
        }
        return view;
    }

    /** The view of a server with one fixed model (or none in this process, behind Kafka). */
    public static Map<String, Object> fixed(String version) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("managed", false);
        view.put("serving", version);
        view.put("detail", "this server serves one fixed model; start it with --registry DIR to manage versions");
        return view;
    }

    private static Map<String, Object> version(ModelRegistry.Entry e, boolean loaded, VersionMeters meters) {
        ModelCard card = e.card();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("version", e.version());
        v.put("role", e.role().name().toLowerCase(Locale.ROOT));
        v.put("loaded", loaded);
        v.put("createdAt", card.createdAt());
        v.put("testAccuracy", card.test() == null ? null : card.test().accuracy());
        v.put("architecture", card.architecture() == null ? null : card.architecture().name());
        v.put("parameters", card.architecture() == null ? null : card.architecture().parameters());
        v.put("live", meters.live(e.version()));
        return v;
    }

    private static Map<String, Object> shadow(String version, VersionMeters meters, ShadowRunner shadows) {
        Map<String, Object> s = meters.shadow(version);
        s.put("recentDisagreements", shadows.disagreements().stream().filter(d -> d.shadowVersion().equals(version)).toList());
        return s;
    }
}
