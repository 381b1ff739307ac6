package dev.stratus.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rendered Kubernetes Deployment turned into what {@code podman kube play --network host} runs
 * on one machine, changing only what a single host without a cluster forces and keeping
 * everything else (entry point, flags, users, read-only root, dropped capabilities, volumes,
 * probes, init containers) exactly as rendered:
 * <ul>
 *   <li>images point at the locally built tags (the registry path dropped, the tag kept);</li>
 *   <li>on the host network there are no container ports to map, so {@code ports} go, and a probe
 *       that names a port gets its number (what the kubelet resolves);</li>
 *   <li>ports that would collide on one host are moved, in the flags and the probes alike;</li>
 *   <li>flags naming cluster services ({@code --bootstrap}, {@code --couchdb}) point at the
 *       stand-ins, and bind addresses at loopback;</li>
 *   <li>{@code $(VAR)} in args is expanded from the container's environment, as the kubelet does
 *       and podman 4.3 does not ({@code fieldRef: metadata.name} is the name podman gives the pod);</li>
 *   <li>init containers are kept after they finish (a podman annotation), see {@link #apply};</li>
 *   <li>Secrets do not exist without a cluster: environment variables read from a Secret, the
 *       Kafka client security settings (the stand-in broker speaks plaintext) and Secret volumes
 *       are removed, and {@link #removed()} lists them.</li>
 * </ul>
 */
public final class LocalPlay {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private final Map<String, String> flags;
    private final Map<Integer, Integer> ports;
    private final Set<String> droppedEnvPrefixes;
    private final List<String> removed = new ArrayList<>();

    /**
     * @param flags              flag name ({@code --bootstrap}) to its local value
     * @param ports              rendered port number to the port it uses here
     * @param droppedEnvPrefixes environment variables that do not apply to the stand-ins
     */
    public LocalPlay(Map<String, String> flags, Map<Integer, Integer> ports, Set<String> droppedEnvPrefixes) {
        this.flags = Map.copyOf(flags);
        this.ports = Map.copyOf(ports);
        this.droppedEnvPrefixes = Set.copyOf(droppedEnvPrefixes);
    }

    /** What was taken out of the manifests, one line each ("stratus-worker/worker: env STRATUS_COUCHDB_USER (Secret)"). */
    public List<String> removed() {
        return List.copyOf(removed);
    }

    /** The local tag of an image reference: {@code registry.example/stratus/stratus-server:0.1.0} -> {@code stratus-server:0.1.0}. */
    public static String localImage(String reference) {
        return reference.substring(reference.lastIndexOf('/') + 1);
    }

    /** Changes {@code deployment} in place. */
    public ObjectNode apply(ObjectNode deployment) {
        String name = deployment.path("metadata").path("name").asText();
        ObjectNode pod = (ObjectNode) deployment.path("spec").path("template").path("spec");
        if (pod.isMissingNode()) {
            throw new ContainerFailure("Deployment " + name + " has no spec.template.spec");
        }
        // Cluster-only scheduling and identity settings: podman has no service accounts or nodes.
        pod.remove(List.of("serviceAccountName", "automountServiceAccountToken", "topologySpreadConstraints"));
        // podman 4.3 removes a finished "once" init container in a race with its own clean-up
        // ("cannot remove container ... as it is running", 3 plays in 4 here); "always" keeps it.
        // podman 4.3 reads it from the Deployment's own metadata, not the pod template's.
        deployment.withObject("/metadata/annotations").put("io.podman.annotations.init.container.type", "always");
        Set<String> secretVolumes = secretVolumes(pod);
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : pod.path(list)) {
                container((ObjectNode) container, name + "/" + container.path("name").asText(), secretVolumes,
                        name + "-pod-0");
            }
        }
        return deployment;
    }

    private Set<String> secretVolumes(ObjectNode pod) {
        Set<String> names = new HashSet<>();
        if (pod.get("volumes") instanceof ArrayNode volumes) {
            for (Iterator<JsonNode> it = volumes.iterator(); it.hasNext(); ) {
                JsonNode volume = it.next();
                if (volume.has("secret")) {
                    names.add(volume.path("name").asText());
                    it.remove();
                }
            }
        }
        return names;
    }

    private void container(ObjectNode container, String where, Set<String> secretVolumes, String podName) {
        Map<String, String> values = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            if (variable.has("value")) {
                values.put(variable.path("name").asText(), variable.path("value").asText());
            } else if ("metadata.name".equals(variable.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
                values.put(variable.path("name").asText(), podName);
            }
        }
        container.put("image", localImage(container.path("image").asText()));
        Map<String, Integer> named = new HashMap<>();
        for (JsonNode port : container.path("ports")) {
            named.put(port.path("name").asText(), port.path("containerPort").asInt());
        }
        container.remove("ports");
        if (container.get("args") instanceof ArrayNode args) {
            for (int i = 0; i < args.size(); i++) {
                args.set(i, args.textNode(flag(expand(args.get(i).asText(), values))));
            }
        }
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            if (container.path(probe).path("httpGet") instanceof ObjectNode get) {
                JsonNode port = get.path("port");
                int number = port.isInt() ? port.asInt() : named.getOrDefault(port.asText(), -1);
                if (number < 0) {
                    throw new ContainerFailure(where + ": " + probe + " names port '" + port.asText()
                            + "', which the container does not declare");
                }
                get.put("port", ports.getOrDefault(number, number));
            }
        }
        if (container.get("env") instanceof ArrayNode env) {
            for (Iterator<JsonNode> it = env.iterator(); it.hasNext(); ) {
                JsonNode variable = it.next();
                String name = variable.path("name").asText();
                if (variable.path("valueFrom").has("secretKeyRef")) {
                    removed.add(where + ": env " + name + " (from a Secret)");
                    it.remove();
                } else if (droppedEnvPrefixes.stream().anyMatch(name::startsWith)) {
                    removed.add(where + ": env " + name + " (does not apply to the stand-ins)");
                    it.remove();
                }
            }
        }
        if (container.get("volumeMounts") instanceof ArrayNode mounts) {
            for (Iterator<JsonNode> it = mounts.iterator(); it.hasNext(); ) {
                JsonNode mount = it.next();
                if (secretVolumes.contains(mount.path("name").asText())) {
                    removed.add(where + ": volume " + mount.path("name").asText() + " at "
                            + mount.path("mountPath").asText() + " (a Secret)");
                    it.remove();
                }
            }
        }
    }

    /** {@code $(NAME)} replaced by the variable's value; unknown names stay as written, as in Kubernetes. */
    static String expand(String arg, Map<String, String> values) {
        Matcher reference = REFERENCE.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (reference.find()) {
            String value = values.get(reference.group(1));
            reference.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : reference.group()));
        }
        return reference.appendTail(out).toString();
    }

    private String flag(String arg) {
        int equals = arg.indexOf('=');
        if (!arg.startsWith("--") || equals < 0) {
            return arg;
        }
        String name = arg.substring(0, equals);
        String value = flags.get(name);
        if (value != null) {
            return name + "=" + value;
        }
        try {
            int port = Integer.parseInt(arg.substring(equals + 1));
            return ports.containsKey(port) ? name + "=" + ports.get(port) : arg;
        } catch (NumberFormatException e) {
            return arg;
        }
    }
}
