package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.cluster.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server image as the manifests run it: read-only root filesystem (and, unlike plain podman
 * --read-only, no tmpfs that Kubernetes would not give either), user 10001, every capability
 * dropped, no privilege escalation; writable only where the manifests mount volumes (/tmp and the
 * data directory). In embedded mode it answers real MNIST digits.
 */
class HardenedGatewayTest {
    private final List<String> started = new ArrayList<>();

    @BeforeAll
    static void build() {
        Images.build();
    }

    @AfterEach
    void remove() {
        started.forEach(name -> Images.PODMAN.run(Duration.ofSeconds(60), "rm", "-f", "-t", "5", name));
    }

    @Test
    void embedded_gateway_answers_real_digits_and_its_health_endpoints_on_the_management_port() throws Exception {
        int[] ports = Processes.freePorts(2);
        String url = start(ports[0], ports[1], List.of("--tmpfs", "/tmp:rw,mode=1777", "--tmpfs",
                "/var/lib/stratus:rw,mode=1777"));
        String management = "http://127.0.0.1:" + ports[1];

        assertThat(Traffic.get(management + "/health/live").path("status").asText()).isEqualTo("UP");
        assertThat(Traffic.get(management + "/health/ready").path("status").asText()).isEqualTo("UP");
        assertThat(Traffic.get(url + "/api/v1/status").path("status").asText()).isEqualTo("ready");
        assertThat(Traffic.status(url + "/health/ready")).as("health is not on the public port").isEqualTo(404);
        Traffic traffic = Traffic.send(url, 200, 40, 0, null);
        assertThat(traffic.answered()).as(traffic.toString()).isEqualTo(200);
        assertThat(traffic.correct).as(traffic.toString()).isGreaterThanOrEqualTo(194);
        assertThat(traffic.modelVersions).containsExactly(Images.shippedModelVersion());
        String id = traffic.answeredIds.iterator().next();
        JsonNode stored = Traffic.get(url + "/api/v1/predictions/" + id);
        assertThat(stored.path("id").asText()).isEqualTo(id);
    }

    @Test
    void a_data_directory_without_a_volume_fails_naming_the_path() {
        assertThatThrownBy(() -> start(Processes.freePort(), 0, List.of("--tmpfs", "/tmp:rw,mode=1777")))
                .isInstanceOf(ContainerFailure.class)
                .hasMessageContaining("/var/lib/stratus").hasMessageContaining("Read-only file system");
    }

    @Test
    void a_temporary_directory_without_a_volume_fails_naming_the_path() {
        assertThatThrownBy(() -> start(Processes.freePort(), 0, List.of("--tmpfs", "/var/lib/stratus:rw,mode=1777")))
                .isInstanceOf(ContainerFailure.class)
                .hasMessageContaining("temporary directory /tmp is not writable");
    }

    /**
     * Starts the gateway hardened with {@code volumes}, health on {@code management} (0: a free
     * one); its URL once ready, or the failure with its log.
     */
    private String start(int port, int management, List<String> volumes) {
        String name = "stratus-it-gateway-" + port;
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host",
                "--read-only", "--read-only-tmpfs=false", "--user", "10001:10001", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges"));
        args.addAll(volumes);
        args.addAll(List.of(Images.SERVER, "up", "--host=127.0.0.1", "--port=" + port, "--management-port=" + management,
                "--data-dir=/var/lib/stratus"));
        Images.PODMAN.run(Duration.ofSeconds(60), null, args).orThrow();
        started.add(name);
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Prober prober = new Prober(Images.PODMAN);
        while (System.nanoTime() < deadline) {
            try {
                Traffic.get(url + "/api/v1/status");
                return url;
            } catch (Exception notYet) {
                sleep();
            }
            prober.requireRunning("the hardened gateway container " + name, name);
        }
        throw new ContainerFailure("the hardened gateway container " + name + " was not ready within 60 s:\n"
                + prober.logs(name));
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
