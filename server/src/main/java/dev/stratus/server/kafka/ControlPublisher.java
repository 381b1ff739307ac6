package dev.stratus.server.kafka;

import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.server.models.ModelAdmin;
import dev.stratus.server.models.ModelCheck;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a Kafka gateway serving admin routes follows its registry: each version the registry's
 * state names is loaded and smoke-tested here once ({@link ModelCheck#verify}), as an embedded
 * server would before swapping, and only a state whose versions all pass is published to the
 * control topic, through this one long-lived producer, for the workers' {@link ModelFollower}.
 * A version's files go out once; after that a swap is one routing record.
 */
public final class ControlPublisher implements ModelAdmin.Follower, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPublisher.class);

    private final ModelRegistry registry;
    private final KafkaSettings settings;
    private final KafkaProducer<String, byte[]> producer;
    private final Set<String> checked = new HashSet<>();
    private final Set<String> sent = new HashSet<>();

    private ControlPublisher(ModelRegistry registry, KafkaSettings settings, KafkaProducer<String, byte[]> producer) {
        this.registry = registry;
        this.settings = settings;
        this.producer = producer;
    }

    /** Makes sure the control topic exists and publishes the registry's state as it is now. */
    public static ControlPublisher start(ModelRegistry registry, KafkaSettings settings, String gatewayId)
            throws IOException {
        String clientId = gatewayId + "-models";
        try (TopicAdmin admin = new TopicAdmin(settings, clientId)) {
            admin.ensureModels();
        }
        ControlPublisher publisher = new ControlPublisher(registry, settings, ModelControl.producer(settings, clientId));
        try {
            Optional<String> refused = publisher.follow();
            refused.ifPresent(reason -> LOG.error("the registry's state is refused, nothing published: {}", reason));
            return publisher;
        } catch (IOException | RuntimeException e) {
            publisher.close();
            throw e;
        }
    }

    @Override
    public synchronized Optional<String> follow() throws IOException {
        ModelControl.Routing routing = ModelControl.routing(registry.state());
        for (String version : routing.versions()) {
            if (checked.contains(version)) {
                continue;
            }
            try {
                ModelCheck.verify(registry, version);
                checked.add(version);
            } catch (RegistryException | RuntimeException e) {
                LOG.error("model {} refused, the routing published before stands: {}", version, e.getMessage());
                return Optional.of(e.getMessage());
            }
        }
        ModelControl.publish(registry, producer, settings, sent);
        LOG.info("published to {}: {}", Topics.MODELS, routing);
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        producer.close();
    }

    @Override
    public String toString() {
        return "ControlPublisher[" + registry.root() + "]";
    }
}
