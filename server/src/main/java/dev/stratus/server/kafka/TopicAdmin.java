package dev.stratus.server.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics explicitly, with the partitions and replication the pipeline needs; the
 * cluster's auto-creation (one partition, one replica) is never relied on.
 */
public final class TopicAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private final Admin admin;
    private final KafkaSettings settings;

    public TopicAdmin(KafkaSettings settings, String clientId) {
        this.settings = settings;
        this.admin = Admin.create(settings.common(clientId + "-admin"));
    }

    /** The replication factor to use: the configured one, or min(3, brokers). */
    public short replicationFactor() {
        if (settings.replicationFactor() > 0) {
            return (short) settings.replicationFactor();
        }
        try {
            int brokers = admin.describeCluster().nodes().get(settings.requestTimeout().toMillis(),
                    TimeUnit.MILLISECONDS).size();
            return (short) Math.max(1, Math.min(3, brokers));
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach Kafka at " + settings.bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The request topic and the dead-letter topic. */
    public void ensureShared() {
        short rf = replicationFactor();
        ensure(List.of(topic(Topics.REQUESTS, settings.partitions(), rf, Map.of()),
                topic(Topics.DEAD_LETTERS, 1, rf, Map.of("retention.ms", Long.toString(7L * 24 * 3600 * 1000)))));
    }

    /** The compacted model control topic: one partition, the latest record of each key kept for good. */
    public void ensureModels() {
        ensure(List.of(topic(Topics.MODELS, 1, replicationFactor(), Map.of("cleanup.policy", "compact",
                "max.message.bytes", Integer.toString(ModelControl.MAX_RECORD_BYTES + 65_536)))));
    }

    /**
     * The workers' meters topic: compacted (the latest snapshot of each worker), one partition,
     * segments rolled hourly so that compaction keeps it small; a closed worker's tombstone goes
     * after a minute.
     */
    public void ensureMeters() {
        ensure(List.of(topic(Topics.METERS, 1, replicationFactor(), Map.of("cleanup.policy", "compact",
                "segment.ms", "3600000", "delete.retention.ms", "60000"))));
    }

    /** A gateway's own reply topic: one partition, short retention (replies are useless after the timeout). */
    public void ensureReplies(String topic) {
        ensureSinglePartition(topic, replicationFactor());
    }

    /** A one-partition topic of the given replication and short retention (also for {@link HopBenchmark}). */
    public void ensureSinglePartition(String topic, short replicationFactor) {
        ensure(List.of(topic(topic, 1, replicationFactor, Map.of("retention.ms", "600000"))));
    }

    public void delete(String topic) {
        try {
            admin.deleteTopics(List.of(topic)).all().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("could not delete topic {}: {}", topic, e.getMessage());
        }
    }

    private static NewTopic topic(String name, int partitions, short rf, Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(extra);
        if (rf >= 3) {
            config.put("min.insync.replicas", "2");
        }
        return new NewTopic(name, partitions, rf).configs(config);
    }

    private void ensure(List<NewTopic> topics) {
        List<String> created = new ArrayList<>();
        for (NewTopic topic : topics) {
            try {
                admin.createTopics(List.of(topic)).all().get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
                created.add(topic.name() + " (" + topic.numPartitions() + " partitions, RF " + topic.replicationFactor() + ")");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic " + topic.name() + " on "
                        + settings.bootstrapServers() + ": " + e.getMessage(), e);
            }
        }
        if (!created.isEmpty()) {
            LOG.info("created topics {}", created);
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
