package dev.stratus.server.kafka;

import dev.stratus.core.config.EnvVar;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the environment says about Kafka: where it is when no flag says, how long a silent worker
 * keeps its partitions, and client settings (security, credentials) that stay out of flags, files
 * and the repository.
 *
 * @param bootstrapServers the bootstrap servers, or null when the environment names none
 * @param sessionTimeout   how long the group waits for a worker's heartbeat before moving its partitions
 * @param client           further client properties, {@code security.protocol} and the like
 */
public record KafkaEnvironment(String bootstrapServers, Duration sessionTimeout, Map<String, String> client) {
    private static final String PREFIX = "STRATUS_KAFKA_";
    public static final EnvVar BOOTSTRAP = new EnvVar(PREFIX + "BOOTSTRAP",
            "Kafka bootstrap servers, host:port[,host:port], when --bootstrap is not given.", "none");
    public static final EnvVar SESSION_TIMEOUT = new EnvVar(PREFIX + "SESSION_TIMEOUT_MS",
            "Milliseconds a worker may go without a heartbeat before its partitions move to the other workers"
                    + " (6000-1800000, what brokers accept by default).", "10000");
    public static final EnvVar CLIENT = new EnvVar(PREFIX + "<PROPERTY>",
            "Any other Kafka client setting: STRATUS_KAFKA_SECURITY_PROTOCOL=SASL_SSL sets security.protocol=SASL_SSL.",
            "none");
    public static final List<EnvVar> VARIABLES = List.of(BOOTSTRAP, SESSION_TIMEOUT, CLIENT);

    public KafkaEnvironment {
        if (sessionTimeout == null || sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("the Kafka session timeout must be positive, got " + sessionTimeout);
        }
        client = Map.copyOf(client);
    }

    public static KafkaEnvironment from(Map<String, String> env) {
        long sessionMillis = SESSION_TIMEOUT.wholeNumber(env, KafkaSettings.DEFAULT_SESSION_TIMEOUT.toMillis(),
                6_000, 1_800_000, "milliseconds");
        Map<String, String> client = new TreeMap<>();
        env.forEach((key, value) -> {
            if (key.startsWith(PREFIX) && !key.equals(BOOTSTRAP.name()) && !key.equals(SESSION_TIMEOUT.name())) {
                client.put(key.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return new KafkaEnvironment(BOOTSTRAP.read(env).orElse(null), Duration.ofMillis(sessionMillis), client);
    }

    /** The settings for {@code bootstrapFlag}, else for this environment's bootstrap servers. */
    public KafkaSettings settings(String bootstrapFlag, int partitions, int replicationFactor) {
        String servers = bootstrapFlag != null && !bootstrapFlag.isBlank() ? bootstrapFlag : bootstrapServers;
        return new KafkaSettings(servers, partitions, replicationFactor, KafkaSettings.DEFAULT_REQUEST_TIMEOUT,
                sessionTimeout, client);
    }

    @Override
    public String toString() {
        // Client properties carry credentials (sasl.jaas.config): names only.
        return "KafkaEnvironment[bootstrapServers=" + bootstrapServers + ", sessionTimeout=" + sessionTimeout
                + ", client=" + client.keySet() + "]";
    }
}
