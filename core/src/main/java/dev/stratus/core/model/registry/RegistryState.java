package dev.stratus.core.model.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Which registered version does what, as {@code registry.json} holds it: the one that answers
 * ({@code active}), the one a rollback returns to ({@code previous}), a candidate that answers a
 * share of requests ({@code canary}) or classifies a copy of every request ({@code shadow}), the
 * versions taken out of service, and the log of every change. Immutable: each change is a new
 * state, written whole.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryState(int formatVersion, String active, String previous, Canary canary, String shadow,
                            List<String> retired, List<Event> events) {
    public static final int FORMAT_VERSION = 1;
    /** The change log keeps this many events, the newest last. */
    static final int EVENTS_KEPT = 500;

    /** A candidate that answers {@code share} (0-1) of the requests. */
    public record Canary(String version, double share) {
        public Canary {
            if (!(share > 0 && share < 1)) {
                throw new IllegalArgumentException("a canary's share is between 0 and 1 (exclusive), got " + share);
            }
        }
    }

    /** One change: when, what ({@code add}, {@code promote}, ...), to which version, and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(String at, String action, String version, String detail) {
    }

    public RegistryState {
        retired = retired == null ? List.of() : List.copyOf(retired);
        events = events == null ? List.of() : List.copyOf(events);
    }

    static RegistryState first(String version, String at) {
        return new RegistryState(FORMAT_VERSION, version, null, null, null, List.of(),
                List.of(new Event(at, "add", version, "the shipped model, the registry's first version")));
    }

    /** The role {@code version} plays in this state. */
    public Role roleOf(String version) {
        if (version.equals(active)) {
            return Role.ACTIVE;
        } else if (canary != null && version.equals(canary.version())) {
            return Role.CANARY;
        } else if (version.equals(shadow)) {
            return Role.SHADOW;
        } else if (retired.contains(version)) {
            return Role.RETIRED;
        }
        return Role.AVAILABLE;
    }

    RegistryState withActive(String version) {
        return new RegistryState(formatVersion, version, active, dropped(canary, version), version.equals(shadow) ? null : shadow,
                retired, events);
    }

    RegistryState withCanary(Canary value) {
        return new RegistryState(formatVersion, active, previous, value,
                value != null && value.version().equals(shadow) ? null : shadow, retired, events);
    }

    RegistryState withShadow(String version) {
        return new RegistryState(formatVersion, active, previous, version == null ? canary : dropped(canary, version),
                version, retired, events);
    }

    RegistryState withRetired(String version) {
        List<String> more = new ArrayList<>(retired);
        more.add(version);
        return new RegistryState(formatVersion, active, version.equals(previous) ? null : previous,
                dropped(canary, version), version.equals(shadow) ? null : shadow, more, events);
    }

    RegistryState logged(Event event) {
        List<Event> more = new ArrayList<>(events);
        more.add(event);
        if (more.size() > EVENTS_KEPT) {
            more = more.subList(more.size() - EVENTS_KEPT, more.size());
        }
        return new RegistryState(formatVersion, active, previous, canary, shadow, retired, more);
    }

    private static Canary dropped(Canary canary, String version) {
        return canary != null && canary.version().equals(version) ? null : canary;
    }

    /** What a version does now. */
    public enum Role {
        ACTIVE, CANARY, SHADOW, AVAILABLE, RETIRED
    }
}
