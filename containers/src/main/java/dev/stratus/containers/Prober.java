package dev.stratus.containers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The kubelet's part for a Deployment played by podman. podman 4.3 turns only a livenessProbe
 * into a health check, and runs health checks only from systemd timers, which this kind of
 * machine does not have. So the probes of the manifest are carried out here, as the kubelet would:
 * the startupProbe until it succeeds (at most periodSeconds x failureThreshold), then the
 * readinessProbe, from the host (on the host network the container's port is the host's), and
 * finally podman's own health check (the livenessProbe as podman runs it: curl inside the
 * container). A container that exits meanwhile fails at once, with its log.
 */
public final class Prober {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private final Podman podman;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    public Prober(Podman podman) {
        this.podman = podman;
    }

    /** The name podman gives container {@code container} of a Pod, or of the first pod of a Deployment. */
    public static String containerName(JsonNode object, String container) {
        String name = object.path("metadata").path("name").asText();
        return "Deployment".equals(object.path("kind").asText()) ? name + "-pod-0-" + container : name + "-" + container;
    }

    /** Waits until every container of a Deployment or Pod passes its probes; returns the seconds it took. */
    public double awaitHealthy(JsonNode object) {
        long started = System.nanoTime();
        String kind = object.path("kind").asText();
        JsonNode pod = "Deployment".equals(kind) ? object.path("spec").path("template").path("spec") : object.path("spec");
        for (JsonNode container : pod.path("containers")) {
            String where = kind + " " + object.path("metadata").path("name").asText() + ", container "
                    + container.path("name").asText();
            String podmanName = containerName(object, container.path("name").asText());
            int restarts = restarts(podmanName);
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                if (container.has(probe)) {
                    await(where, podmanName, restarts, probe, container.get(probe));
                }
            }
            if (container.has("livenessProbe")) {
                podmanHealthCheck(where, podmanName);
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private void await(String where, String podmanName, int restarts, String kind, JsonNode probe) {
        JsonNode get = probe.path("httpGet");
        if (get.isMissingNode()) {
            throw new ContainerFailure(where + ": " + kind + " is not an httpGet probe; only those are carried out here");
        }
        URI uri = URI.create("http://127.0.0.1:" + get.path("port").asInt() + get.path("path").asText("/"));
        int period = probe.path("periodSeconds").asInt(10);
        int threshold = probe.path("failureThreshold").asInt(3);
        // A readiness or liveness probe fails after `threshold` misses; the startup phase before
        // it is bounded by the startupProbe. Without one, give the container a minute.
        int attempts = kind.equals("startupProbe") ? threshold : Math.max(threshold, 60 / Math.max(1, period));
        String last = "no attempt";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            requireRunning(where, podmanName, restarts);
            last = get(uri);
            if (last == null) {
                return;
            }
            sleep(Duration.ofSeconds(period));
        }
        throw new ContainerFailure(where + ": " + kind + " GET " + uri + " did not succeed in " + attempts
                + " attempts " + period + " s apart (last: " + last + ")\n" + logs(podmanName));
    }

    /** null when the answer is 2xx/3xx, otherwise what went wrong. */
    private String get(URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() < 400 ? null : "HTTP " + response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerFailure("interrupted while probing " + uri);
        }
    }

    private void podmanHealthCheck(String where, String podmanName) {
        Podman.Result check = podman.run(Duration.ofSeconds(30), "healthcheck", "run", podmanName);
        if (!check.ok()) {
            throw new ContainerFailure(where + ": podman's health check (the livenessProbe, run inside the"
                    + " container) failed: " + check.output().strip());
        }
    }

    /**
     * Fails with the container's log when it is no longer running, or when it has crashed and been
     * restarted since {@code restarts} (what Kubernetes shows as CrashLoopBackOff).
     */
    public void requireRunning(String where, String podmanName, int restarts) {
        String state = podman.run(Duration.ofSeconds(30), "inspect", "--format",
                "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", podmanName).output().strip();
        String[] fields = state.split(" ");
        if (!state.startsWith("running") || fields.length < 3 || Integer.parseInt(fields[2]) > restarts) {
            throw new ContainerFailure(where + " is not running (status, last exit code, restarts: " + state + "):\n"
                    + logs(podmanName));
        }
    }

    public void requireRunning(String where, String podmanName) {
        requireRunning(where, podmanName, restarts(podmanName));
    }

    private int restarts(String podmanName) {
        String count = podman.run(Duration.ofSeconds(30), "inspect", "--format", "{{.RestartCount}}", podmanName)
                .output().strip();
        return count.matches("\\d+") ? Integer.parseInt(count) : 0;
    }

    public String logs(String podmanName) {
        return Podman.tail(podman.run(Duration.ofSeconds(30), "logs", podmanName).output(), 30);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerFailure("interrupted while waiting for a probe");
        }
    }
}
