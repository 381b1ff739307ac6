package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.server.kafka.KafkaEnvironment;
import dev.stratus.server.kafka.ModelControl;
import dev.stratus.server.kafka.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stratus publish-models}: a registry's state onto the model control topic, for the Kafka
 * workers (which follow it unless started with {@code --no-follow-models}). Run it after each
 * {@code stratus models promote|rollback|canary|shadow}.
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

    @Override
    public int call(ServerEnvironment env) throws Exception {
        ModelControl.Routing routing = ModelControl.publish(ModelRegistry.open(ModelRegistry.directory(registry,
                env.registry())), cluster.kafka(env.kafka()),
                "publish-models-" + ProcessHandle.current().pid());
        System.out.println("Published to " + Topics.MODELS + ": active " + routing.active()
                + (routing.canary() == null ? "" : ", canary " + routing.canary() + " at " + routing.share())
                + (routing.shadow() == null ? "" : ", shadow " + routing.shadow()));
        return 0;
    }
}
