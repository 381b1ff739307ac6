package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryState;
import dev.stratus.server.kafka.KafkaEnvironment;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.kafka.ModelControl;
import dev.stratus.server.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stratus publish-models}: a registry's state onto the model control topic, for the Kafka
 * workers (which follow it unless started with {@code --no-follow-models}). Run it after each
 * {@code stratus models promote|rollback|canary|shadow}, or once with {@code --watch}, which
 * follows the registry and publishes each change from one long-lived process.
 */
@Command(name = "publish-models", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publishes the registry's active version (and canary, shadow, rollback target) with its files",
                "and the smoke sample to the compacted " + Topics.MODELS + " topic; workers switch once loaded and checked."})
final class PublishModelsCommand implements ServerCommand {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--registry", description = "Model registry (else $STRATUS_MODELS, else ~/.local/share/stratus/models).")
    Path registry;

    @Override
    public List<EnvVar> environment() {
        List<EnvVar> all = new ArrayList<>(KafkaEnvironment.VARIABLES);
        all.add(ModelRegistry.VARIABLE);
        return all;
    }

    @Option(names = "--watch", description = "Keep running: publish again whenever the registry's state changes "
            + "(read every 200 ms), from this one process, until stopped.")
    boolean watch;

    /** How often {@code --watch} reads the registry's state: as often as an embedded server does. */
    static final Duration WATCH_POLL = Backend.REGISTRY_POLL;

    @Override
    public int call(ServerEnvironment env) throws Exception {
        ModelRegistry models = ModelRegistry.open(ModelRegistry.directory(registry, env.registry()));
        KafkaSettings kafka = cluster.kafka(env.kafka());
        String clientId = "publish-models-" + ProcessHandle.current().pid();
        RegistryState published = models.state();
        report(ModelControl.publish(models, kafka, clientId));
        while (watch) {
            try {
                Thread.sleep(WATCH_POLL.toMillis());
            } catch (InterruptedException e) {
                return 0;
            }
            RegistryState now = models.state();
            if (!now.equals(published)) {
                published = now;
                report(ModelControl.publish(models, kafka, clientId));
            }
        }
        return 0;
    }

    private static void report(ModelControl.Routing routing) {
        System.out.println("Published to " + Topics.MODELS + ": active " + routing.active()
                + (routing.canary() == null ? "" : ", canary " + routing.canary() + " at " + routing.share())
                + (routing.shadow() == null ? "" : ", shadow " + routing.shadow()));
        System.out.flush();
    }
}
