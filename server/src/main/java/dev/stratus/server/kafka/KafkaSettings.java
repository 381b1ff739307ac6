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
 * @param requestTimeout    how long admin calls and deliveries may take
 * @param sessionTimeout    how long the workers' group waits for a heartbeat before moving partitions
 * @param client            extra client properties (security settings from the environment)
 */
public record KafkaSettings(String bootstrapServers, int partitions, int replicationFactor, Duration requestTimeout,
                            Duration sessionTimeout, Map<String, String> client) {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** A dead worker's partitions move after 10 s instead of Kafka's default 45 s. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka needs --bootstrap host:port[,host:port...] (or "
                    + KafkaEnvironment.BOOTSTRAP.name() + ")");
        }
        if (partitions < 1 || replicationFactor < 0) {
            throw new IllegalArgumentException("partitions must be positive and the replication factor >= 0");
        }
        client = Map.copyOf(client);
    }

    /** Default timeouts and the given client properties ({@link KafkaEnvironment#client()} in the programs). */
    public static KafkaSettings of(String bootstrapServers, int partitions, int replicationFactor,
                                   Map<String, String> client) {
        return new KafkaSettings(bootstrapServers, partitions, replicationFactor, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_SESSION_TIMEOUT, client);
    }

    Properties common(String clientId) {
        Properties props = new Properties();
        props.putAll(client);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", clientId);
        return props;
    }
}
