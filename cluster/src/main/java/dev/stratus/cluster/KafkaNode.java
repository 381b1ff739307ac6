package dev.stratus.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One combined broker and controller of a {@link LocalKafkaCluster}: its KRaft node id, its
 * two loopback ports and its directory (server.properties, data, kafka.log).
 */
record KafkaNode(int id, int brokerPort, int controllerPort, Path dir) {

    KafkaNode {
        if (id < 0) {
            throw new IllegalArgumentException("node id must be >= 0, got " + id);
        }
    }

    Path properties() {
        return dir.resolve("server.properties");
    }

    Path data() {
        return dir.resolve("data");
    }

    Path log() {
        return dir.resolve("kafka.log");
    }

    String bootstrapServer() {
        return Processes.LOOPBACK + ":" + brokerPort;
    }

    /**
     * This node's server.properties in a cluster made of {@code all}: replication as strong as
     * the cluster size allows (RF min(3, N), min ISR min(2, N)), topics only created on purpose,
     * and {@code extra} settings last, so that they win. No listener takes an unauthenticated
     * connection: clients and brokers log in with SCRAM-SHA-256 as {@code credentials.kafka()}
     * (created when the node is formatted), controllers with PLAIN as
     * {@code credentials.kafkaController()} (KRaft controllers read no SCRAM credentials: those
     * live in the metadata the controllers serve). The file holds the passwords: write it 0600.
     */
    String serverProperties(List<KafkaNode> all, Map<String, String> extra, StackCredentials credentials) {
        int replicas = Math.min(3, all.size());
        int minInSync = Math.min(2, all.size());
        String voters = all.stream()
                .map(node -> node.id() + "@" + Processes.LOOPBACK + ":" + node.controllerPort())
                .collect(Collectors.joining(","));
        StringBuilder text = new StringBuilder()
                .append("process.roles=broker,controller\n")
                .append("node.id=").append(id).append('\n')
                .append("controller.quorum.voters=").append(voters).append('\n')
                .append("listeners=SASL_PLAINTEXT://").append(Processes.LOOPBACK).append(':').append(brokerPort)
                .append(",CONTROLLER://").append(Processes.LOOPBACK).append(':').append(controllerPort).append('\n')
                .append("advertised.listeners=SASL_PLAINTEXT://").append(bootstrapServer()).append('\n')
                .append("listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT\n")
                .append("controller.listener.names=CONTROLLER\n")
                .append("inter.broker.listener.name=SASL_PLAINTEXT\n")
                .append(security(credentials))
                .append("log.dirs=").append(data().toAbsolutePath()).append('\n')
                .append("auto.create.topics.enable=false\n")
                .append("default.replication.factor=").append(replicas).append('\n')
                .append("min.insync.replicas=").append(minInSync).append('\n')
                .append("offsets.topic.replication.factor=").append(replicas).append('\n')
                .append("transaction.state.log.replication.factor=").append(replicas).append('\n')
                .append("transaction.state.log.min.isr=").append(minInSync).append('\n')
                .append("share.coordinator.state.topic.replication.factor=").append(replicas).append('\n')
                .append("share.coordinator.state.topic.min.isr=").append(minInSync).append('\n')
                // Internal topics of 50 partitions each take seconds to create on a small machine.
                .append("offsets.topic.num.partitions=12\n")
                .append("transaction.state.log.num.partitions=12\n")
                .append("share.coordinator.state.topic.num.partitions=12\n")
                // A local cluster has no stragglers to wait for before the first rebalance.
                .append("group.initial.rebalance.delay.ms=0\n")
                // A follower's fetch returns as soon as its leader has new records; the wait only
                // paces idle fetches (default 500 ms).
                .append("replica.fetch.wait.max.ms=2000\n");
        extra.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static String security(StackCredentials credentials) {
        StackCredentials.Login controller = credentials.kafkaController();
        return "sasl.enabled.mechanisms=SCRAM-SHA-256\n"
                + "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256\n"
                + "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
                + StackCredentials.scramJaas(credentials.kafka()) + "\n"
                + "listener.name.controller.sasl.enabled.mechanisms=PLAIN\n"
                + "sasl.mechanism.controller.protocol=PLAIN\n"
                // username/password: how this node logs in to the controllers; user_NAME: whom it lets in.
                + "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"" + controller.user() + "\" password=\"" + controller.password() + "\" user_"
                + controller.user() + "=\"" + controller.password() + "\";\n";
    }

    /** The SCRAM user to create when formatting ({@code StorageTool format --add-scram ...}). */
    static String addScram(StackCredentials credentials) {
        return "SCRAM-SHA-256=[name=" + credentials.kafka().user() + ",password=" + credentials.kafka().password() + "]";
    }
}
