package dev.stratus.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What LocalPlay changes in a rendered Deployment, and what it keeps. */
class LocalPlayTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: stratus-worker}
            spec:
              template:
                spec:
                  serviceAccountName: stratus-worker
                  securityContext: {runAsNonRoot: true, runAsUser: 10001}
                  containers:
                    - name: worker
                      image: registry.example.invalid/stratus/stratus-server:0.1.0
                      args: [worker, --bootstrap=kafka:9093, --health-port=8081, --worker-id=$(POD_NAME), --x=$(NOPE)]
                      ports: [{name: health, containerPort: 8081}]
                      readinessProbe: {httpGet: {path: /health/ready, port: health}}
                      livenessProbe: {httpGet: {path: /health/live, port: 8081}}
                      env:
                        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                        - {name: STRATUS_MODEL, value: /models/current}
                        - {name: STRATUS_COUCHDB_USER, valueFrom: {secretKeyRef: {name: couchdb-app, key: username}}}
                        - {name: STRATUS_KAFKA_SECURITY_PROTOCOL, value: SASL_SSL}
                      securityContext: {readOnlyRootFilesystem: true}
                      volumeMounts:
                        - {name: tmp, mountPath: /tmp}
                        - {name: kafka-ca, mountPath: /etc/stratus/kafka-ca}
                  volumes:
                    - {name: tmp, emptyDir: {}}
                    - {name: kafka-ca, secret: {secretName: ca}}
            """;

    private final LocalPlay play = new LocalPlay(Map.of("--bootstrap", "127.0.0.1:39092"), Map.of(8081, 38081),
            Set.of("STRATUS_KAFKA_"));

    private JsonNode container(ObjectNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void points_images_flags_ports_and_probes_at_this_host() {
        ObjectNode deployment = play.apply(Manifests.read(DEPLOYMENT).get(0));
        JsonNode worker = container(deployment);
        assertThat(worker.path("image").asText()).isEqualTo("stratus-server:0.1.0");
        assertThat(worker.path("args").toString()).contains("--bootstrap=127.0.0.1:39092", "--health-port=38081",
                "--worker-id=stratus-worker-pod-0", "--x=$(NOPE)");
        assertThat(worker.has("ports")).isFalse();
        assertThat(worker.path("readinessProbe").path("httpGet").path("port").asInt()).isEqualTo(38081);
        assertThat(worker.path("livenessProbe").path("httpGet").path("port").asInt()).isEqualTo(38081);
    }

    @Test
    void removes_what_needs_a_cluster_and_says_so_keeping_the_hardening() {
        ObjectNode deployment = play.apply(Manifests.read(DEPLOYMENT).get(0));
        JsonNode worker = container(deployment);
        assertThat(worker.path("env").findValuesAsText("name")).containsExactly("POD_NAME", "STRATUS_MODEL");
        assertThat(worker.path("volumeMounts").findValuesAsText("name")).containsExactly("tmp");
        assertThat(deployment.path("spec").path("template").path("spec").path("volumes").findValuesAsText("name"))
                .containsExactly("tmp");
        assertThat(deployment.path("spec").path("template").path("spec").has("serviceAccountName")).isFalse();
        assertThat(worker.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(play.removed()).containsExactly(
                "stratus-worker/worker: env STRATUS_COUCHDB_USER (from a Secret)",
                "stratus-worker/worker: env STRATUS_KAFKA_SECURITY_PROTOCOL (does not apply to the stand-ins)",
                "stratus-worker/worker: volume kafka-ca at /etc/stratus/kafka-ca (a Secret)");
    }

    @Test
    void a_probe_on_an_undeclared_port_name_is_refused() {
        ObjectNode deployment = Manifests.read(DEPLOYMENT.replace("port: health}", "port: http}")).get(0);
        assertThatThrownBy(() -> play.apply(deployment)).isInstanceOf(ContainerFailure.class)
                .hasMessageContaining("stratus-worker/worker: readinessProbe names port 'http'");
    }

    @Test
    void expands_only_known_references() {
        assertThat(LocalPlay.expand("a=$(A),b=$(B),$$", Map.of("A", "1"))).isEqualTo("a=1,b=$(B),$$");
        assertThat(LocalPlay.localImage("stratus-model:v1")).isEqualTo("stratus-model:v1");
        assertThat(List.of(LocalPlay.localImage("r.example/a/b/stratus-kafka:4.1.1"))).containsExactly("stratus-kafka:4.1.1");
    }
}
