package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaClusterTest {
    private static final StackCredentials CREDENTIALS = StackCredentials.generate();

    @Test
    void three_nodes_start_survive_a_kill_and_leave_no_process_behind(@TempDir Path dir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (LocalKafkaCluster kafka = LocalKafkaCluster.start(dir, 3)) {
            assertThat(kafka.nodes()).isEqualTo(3);
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3).allMatch(s -> s.startsWith("127.0.0.1:"));
            for (int node = 0; node < 3; node++) {
                assertThat(kafka.isRunning(node)).isTrue();
                assertThat(Processes.accepts(kafka.brokerPort(node))).isTrue();
                pids.add(kafka.pid(node));
            }

            kafka.kill(1);
            assertThat(kafka.isRunning(1)).isFalse();
            assertThat(Processes.accepts(kafka.brokerPort(1))).isFalse();

            kafka.start(1);
            assertThat(kafka.isRunning(1)).isTrue();
            assertThat(Processes.accepts(kafka.brokerPort(1))).isTrue();
            pids.add(kafka.pid(1));
            // The same data directory: the node came back as itself, not as a fresh node.
            assertThat(Files.readString(kafka.logFile(1)).split(LocalKafkaCluster.STARTED_LINE, -1)).hasSize(3);

            kafka.stop(2);
            assertThat(kafka.isRunning(2)).isFalse();
            assertThat(Processes.accepts(kafka.brokerPort(2))).isFalse();
        }
        assertThat(pids).hasSize(4).noneMatch(LocalKafkaClusterTest::alive);
    }

    /**
     * Failed before (PLAINTEXT listeners): the anonymous client listed the topics, on the broker's
     * port and on the controller's.
     */
    @Test
    void one_node_starts_alone_and_serves_only_clients_with_its_login(@TempDir Path dir) throws Exception {
        long pid;
        try (LocalKafkaCluster kafka = LocalKafkaCluster.start(dir, 1)) {
            assertThat(kafka.bootstrapServers()).isEqualTo(kafka.bootstrapServer(0));
            assertThat(Processes.accepts(kafka.brokerPort(0))).isTrue();
            pid = kafka.pid(0);
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse(""))
                    .doesNotContain(CREDENTIALS.kafka().password());
            assertThat(dir.resolve("node-0/format.args")).doesNotExist();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("node-0/server.properties"))))
                    .isEqualTo("rw-------");

            try (Admin admin = Admin.create(client("bootstrap.servers", kafka.bootstrapServers(), kafka.clientProperties()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            String controller = Processes.LOOPBACK + ":" + kafka.controllerPort(0);
            for (Map<String, Object> anonymous : List.of(client("bootstrap.servers", kafka.bootstrapServers(), Map.of()),
                    client("bootstrap.controllers", controller, Map.of()))) {
                try (Admin admin = Admin.create(anonymous)) {
                    // describeCluster: what a controller answers too.
                    assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
                }
            }
            Map<String, String> wrong = new HashMap<>(kafka.clientProperties());
            wrong.put("sasl.jaas.config", StackCredentials.scramJaas(StackCredentials.Login.generate("stratus")));
            try (Admin admin = Admin.create(client("bootstrap.servers", kafka.bootstrapServers(), wrong))) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
        assertThat(alive(pid)).isFalse();
    }

    /** An admin client that gives up after 5 s. */
    private static Map<String, Object> client(String bootstrapKey, String bootstrap, Map<String, String> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put(bootstrapKey, bootstrap);
        config.put("request.timeout.ms", 2_000);
        config.put("default.api.timeout.ms", 5_000);
        config.put("reconnect.backoff.max.ms", 500);
        return config;
    }

    @Test
    void refuses_a_work_dir_that_already_holds_a_cluster(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("node-0/data"));
        Files.writeString(dir.resolve("node-0/data/meta.properties"), "node.id=0\n");

        assertThatThrownBy(() -> LocalKafkaCluster.start(dir, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already holds a formatted Kafka node");
    }

    @Test
    void server_properties_replicate_as_far_as_the_cluster_size_allows() {
        List<KafkaNode> three = List.of(node(0, 9000, 9100), node(1, 9001, 9101), node(2, 9002, 9102));
        String props = three.get(1).serverProperties(three, Map.of(), CREDENTIALS);

        assertThat(props).contains("node.id=1\n",
                "controller.quorum.voters=0@127.0.0.1:9100,1@127.0.0.1:9101,2@127.0.0.1:9102\n",
                "listeners=SASL_PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101\n",
                "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:9001\n",
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT\n",
                "sasl.enabled.mechanisms=SCRAM-SHA-256\n", "listener.name.controller.sasl.enabled.mechanisms=PLAIN\n",
                "auto.create.topics.enable=false\n",
                "default.replication.factor=3\n", "min.insync.replicas=2\n",
                "offsets.topic.replication.factor=3\n", "transaction.state.log.min.isr=2\n",
                "share.coordinator.state.topic.replication.factor=3\n");

        List<KafkaNode> one = List.of(node(0, 9000, 9100));
        assertThat(one.get(0).serverProperties(one, Map.of(), CREDENTIALS)).contains("default.replication.factor=1\n",
                "min.insync.replicas=1\n", "offsets.topic.replication.factor=1\n",
                "transaction.state.log.replication.factor=1\n", "share.coordinator.state.topic.replication.factor=1\n");
    }

    @Test
    void extra_settings_come_last_so_that_they_win() {
        List<KafkaNode> one = List.of(node(0, 9000, 9100));
        String props = one.get(0).serverProperties(one, Map.of("min.insync.replicas", "1"), CREDENTIALS);

        assertThat(props).endsWith("min.insync.replicas=1\n");
    }

    @Test
    void cluster_ids_have_kafkas_form() {
        for (int i = 0; i < 200; i++) {
            assertThat(LocalKafkaCluster.newClusterId()).matches("[A-Za-z0-9_][A-Za-z0-9_-]{21}");
        }
    }

    private static KafkaNode node(int id, int brokerPort, int controllerPort) {
        return new KafkaNode(id, brokerPort, controllerPort, Path.of("/tmp/kafka/node-" + id));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
