package dev.stratus.server.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * How to reach the Kafka cluster and how the topics are laid out.
 *
 * @param bootstrapServers  host:port list
 * @param partitions        partitions of the request topic (the most workers that can share it)
 * @param replicationFactor replicas per partition; 0 = as many as the cluster has brokers, at most 3
 * @param client            extra client properties (security settings from the environment)
 */
public record KafkaSettings(String bootstrapServers, int partitions, int replicationFactor, Duration requestTimeout,
                            Map<String, String> client) {

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka needs --bootstrap host:port[,host:port...]");
        }
        if (partitions < 1 || replicationFactor < 0) {
            throw new IllegalArgumentException("partitions must be positive and the replication factor >= 0");
        }
        client = Map.copyOf(client);
    }

    public static KafkaSettings of(String bootstrapServers, int partitions, int replicationFactor,
                                   Map<String, String> env) {
        return new KafkaSettings(bootstrapServers, partitions, replicationFactor, Duration.ofSeconds(30),
                clientProperties(env));
    }

    /**
     * Client settings from the environment: {@code STRATUS_KAFKA_SECURITY_PROTOCOL=SASL_SSL} becomes
     * {@code security.protocol=SASL_SSL}. Credentials stay out of flags, files and the repository.
     */
    static Map<String, String> clientProperties(Map<String, String> env) {
        Map<String, String> props = new java.util.TreeMap<>();
        env.forEach((key, value) -> {
            if (key.startsWith("STRATUS_KAFKA_")) {
                props.put(key.substring("STRATUS_KAFKA_".length()).toLowerCase().replace('_', '.'), value);
            }
        });
        return props;
    }

    Properties common(String clientId) {
        Properties props = new Properties();
        props.putAll(client);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", clientId);
        return props;
    }
}
