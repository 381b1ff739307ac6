package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.cluster.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml as a user runs it, with Debian's podman-compose (through a small wrapper for
 * its host-network bug) and the stand-in images for the public ones that cannot be pulled here: 3 KRaft brokers, CouchDB, 2 gateways behind nginx and 2
 * workers come up, answer real digits through nginx, and {@code down -v} leaves nothing.
 */
class ComposeTest {
    private static final String PROJECT = "stratus-it-compose";
    private static final Duration READY_BOUND = Duration.ofMinutes(4);
    private static Path wrapper;

    @Test
    void the_compose_stack_answers_real_digits_through_nginx_and_leaves_nothing_behind() throws Exception {
        Images.build();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("COUCHDB_IMAGE", Images.COUCHDB);
        env.put("NGINX_IMAGE", "stratus-standin-nginx:1.27");
        for (String port : List.of("STRATUS_PORT", "GATEWAY_PORT_1", "GATEWAY_PORT_2", "GATEWAY_MANAGEMENT_PORT_1",
                "GATEWAY_MANAGEMENT_PORT_2", "WORKER_HEALTH_PORT_1", "WORKER_HEALTH_PORT_2", "COUCHDB_PORT", "KAFKA_PORT_1", "KAFKA_PORT_2", "KAFKA_PORT_3",
                "KAFKA_CONTROLLER_PORT_1", "KAFKA_CONTROLLER_PORT_2", "KAFKA_CONTROLLER_PORT_3")) {
            env.put(port, Integer.toString(Processes.freePort()));
        }
        String url = "http://127.0.0.1:" + env.get("STRATUS_PORT");
        long started = System.nanoTime();
        try {
            compose(env, Duration.ofMinutes(5), "up", "-d").orThrow();
            awaitReady(env, url);
            double ready = (System.nanoTime() - started) / 1e9;
            // Seven cold JVMs and three brokers share two cores here: in the first seconds after
            // ready, answers took 1-5 s and some passed the gateways' 5 s deadline (504). The
            // warm-up is reported, not asserted; the stack is judged warm.
            Traffic warmup = Traffic.send(url, 100, 10, 0, null);
            Traffic traffic = Traffic.send(url, 200, 20, 0, null);
            System.out.printf("containers: compose: every gateway, worker and nginx ready %.1f s after up; warm-up %s; %s%n",
                    ready, warmup, traffic);
            if (traffic.answered() < traffic.sent) {
                System.out.println(Podman.tail(compose(env, Duration.ofSeconds(60), "logs", "--tail", "40").output(), 400));
            }
            assertThat(traffic.answered()).as(traffic.toString()).isEqualTo(200);
            assertThat(traffic.correct).as(traffic.toString()).isGreaterThanOrEqualTo(194);
            String id = traffic.answeredIds.iterator().next();
            assertThat(Traffic.get(url + "/api/v1/predictions/" + id).path("id").asText()).isEqualTo(id);
        } finally {
            compose(env, Duration.ofMinutes(3), "down", "-v", "-t", "10");
        }
        assertThat(Images.PODMAN.run(Duration.ofSeconds(30), "ps", "-a", "--format", "{{.Names}}").orThrow())
                .as("containers left after down").doesNotContain(PROJECT);
        assertThat(Images.PODMAN.run(Duration.ofSeconds(30), "volume", "ls", "--format", "{{.Name}}").orThrow())
                .as("volumes left after down -v").doesNotContain(PROJECT);
    }

    /** podman-for-compose.sh (see there: Debian's podman-compose 1.0.3 and network_mode: host), as a file. */
    private static synchronized Path podmanForCompose() {
        if (wrapper == null) {
            try {
                wrapper = Files.createTempFile("podman-for-compose", ".sh");
                Files.writeString(wrapper, KubePlay.resource("podman-for-compose.sh"));
                Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
                wrapper.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return wrapper;
    }

    /**
     * Every gateway and worker ready on its own port, then nginx: nginx alone answers ready as soon
     * as one gateway is, and a POST sent to the other (still starting) would be a 502.
     */
    private static void awaitReady(Map<String, String> env, String url) throws InterruptedException {
        List<String> probes = new ArrayList<>();
        for (String port : List.of("GATEWAY_MANAGEMENT_PORT_1", "GATEWAY_MANAGEMENT_PORT_2", "WORKER_HEALTH_PORT_1",
                "WORKER_HEALTH_PORT_2")) {
            probes.add("http://127.0.0.1:" + env.get(port) + "/health/ready");
        }
        probes.add(url + "/api/v1/status");
        long deadline = System.nanoTime() + READY_BOUND.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                for (String probe : probes) {
                    Traffic.get(probe);
                }
                return;
            } catch (Exception notYet) {
                last = notYet.getMessage();
            }
            Thread.sleep(1000);
        }
        String states = compose(env, Duration.ofSeconds(60), "ps").output();
        throw new ContainerFailure("the compose stack was not ready through nginx within " + READY_BOUND.toSeconds()
                + " s (last: " + last + "):\n" + states + "\n" + Podman.tail(compose(env, Duration.ofSeconds(60),
                "logs", "--tail", "5").output(), 60));
    }

    private static Podman.Result compose(Map<String, String> env, Duration bound, String... args) {
        List<String> command = new ArrayList<>(List.of("env"));
        env.forEach((key, value) -> command.add(key + "=" + value));
        command.addAll(List.of("podman-compose", "--podman-path", podmanForCompose().toString(), "-p", PROJECT,
                "-f", Images.ROOT.resolve("deploy/compose.yaml").toString()));
        command.addAll(List.of(args));
        return Podman.exec(command, Images.ROOT, bound, null);
    }
}
