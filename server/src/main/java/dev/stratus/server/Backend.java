package dev.stratus.server;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.server.models.ModelAdmin;
import dev.stratus.server.models.ModelLifecycle;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.RegistryWatcher;
import dev.stratus.server.models.RoutedClassifier;
import dev.stratus.server.models.ShadowRunner;
import dev.stratus.server.models.VersionMeters;
import dev.stratus.server.kafka.ControlPublisher;
import dev.stratus.server.kafka.KafkaPipeline;
import dev.stratus.server.kafka.MeterBoard;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.MicroBatchingPipeline;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.SqlPredictionStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What answers behind the HTTP layer: an inference pipeline and a prediction store, plus what
 * must be closed with them. Embedded (one JVM) or distributed (Kafka workers and CouchDB).
 * {@code models} is set where the server follows a model registry, {@code workers} where Kafka
 * workers classify (their published meters), {@code admin} where the admin routes can change a
 * registry (embedded or Kafka), else null.
 */
public record Backend(InferencePipeline pipeline, PredictionStore store, String description,
                      List<AutoCloseable> resources, ModelLifecycle models, MeterBoard workers, ModelAdmin admin)
        implements AutoCloseable {
    /** How often a server serving from a registry reads {@code registry.json}. */
    public static final Duration REGISTRY_POLL = Duration.ofMillis(200);

    public Backend(InferencePipeline pipeline, PredictionStore store, String description, List<AutoCloseable> resources) {
        this(pipeline, store, description, resources, null, null, null);
    }

    public Backend(InferencePipeline pipeline, PredictionStore store, String description, List<AutoCloseable> resources,
                   ModelLifecycle models) {
        this(pipeline, store, description, resources, models, null,
                models == null ? null : ModelAdmin.embedded(models.registry(), models.watcher()));
    }

    /** Builds a backend once the server's meter registry exists. */
    @FunctionalInterface
    public interface Factory {
        Backend create(MeterRegistry registry) throws IOException;
    }

    /** The model in this JVM behind a micro-batching queue, predictions in an H2 file. */
    public static Factory embedded(ServerConfig config) {
        return registry -> embedded(config, initialModel(config), true).create(registry);
    }

    /** The model an embedded server starts with: the registry's active version, else --model, else the shipped one. */
    public static Model initialModel(ServerConfig config) throws IOException {
        Path registry = config.storage().registryDirectory();
        return registry != null ? RegistryWatcher.initial(ModelRegistry.open(registry), OnnxClassifier.Threads.SERVING)
                : Model.resolve(config.storage().modelDirectory(), OnnxClassifier.Threads.SERVING);
    }

    /**
     * The same with a model already loaded; closed with the backend only if {@code closeModel}.
     * With a registry configured, the model is where serving starts and the registry's changes are
     * followed from there (the router then owns and closes every model, this one included).
     */
    public static Factory embedded(ServerConfig config, Model model, boolean closeModel) {
        if (config.storage().registryDirectory() != null) {
            return managed(config, model);
        }
        return registry -> {
            List<AutoCloseable> opened = new ArrayList<>(closeModel ? List.of(model) : List.of());
            try {
                PredictionStore store = SqlPredictionStore.open(DataDirectory.prepare(config.storage().dataDirectory()),
                        registry);
                opened.add(store);
                InferencePipeline pipeline = new MicroBatchingPipeline(model, store, config.queue().capacity(),
                        config.queue().maxBatch(), config.queue().batchDelay(), config.numbers().maxDigits(), registry);
                return new Backend(pipeline, store, "embedded, model " + model.version() + ", predictions in "
                        + config.storage().dataDirectory(), opened);
            } catch (RuntimeException e) {
                closeAll(opened);
                throw e;
            }
        };
    }

    private static Factory managed(ServerConfig config, Model model) {
        return meters -> {
            List<AutoCloseable> opened = new ArrayList<>();
            ModelRouter router = new ModelRouter(model);
            opened.add(router::close);
            try {
                ModelRegistry registry = ModelRegistry.open(config.storage().registryDirectory());
                PredictionStore store = SqlPredictionStore.open(DataDirectory.prepare(config.storage().dataDirectory()),
                        meters);
                opened.add(store);
                ShadowRunner shadows = new ShadowRunner(meters);
                opened.add(shadows);
                VersionMeters versions = new VersionMeters(meters);
                InferencePipeline pipeline = new MicroBatchingPipeline(new RoutedClassifier(router, shadows, versions),
                        store, config.queue().capacity(), config.queue().maxBatch(), config.queue().batchDelay(),
                        config.numbers().maxDigits(), meters);
                RegistryWatcher watcher = new RegistryWatcher(registry, router, OnnxClassifier.Threads.SERVING, meters);
                opened.add(watcher);
                watcher.start(REGISTRY_POLL);
                return new Backend(pipeline, store, "embedded, models from the registry " + registry.root()
                        + " (active " + router.activeVersion() + "), predictions in " + config.storage().dataDirectory(),
                        opened, new ModelLifecycle(registry, router, watcher, shadows, versions));
            } catch (IOException | RuntimeException e) {
                closeAll(opened);
                throw e;
            }
        };
    }

    /** Requests through Kafka to the inference workers, predictions read from CouchDB. */
    public static Factory kafka(KafkaSettings kafka, CouchDbSettings couchDb, String gatewayId, int maxInFlight) {
        return kafka(kafka, couchDb, gatewayId, maxInFlight, ServerConfig.Numbers.DEFAULT_MAX_DIGITS);
    }

    /** As above, numbers of more than {@code maxDigits} digits refused. */
    public static Factory kafka(KafkaSettings kafka, CouchDbSettings couchDb, String gatewayId, int maxInFlight,
                                int maxDigits) {
        return kafka(kafka, couchDb, gatewayId, maxInFlight, maxDigits, null);
    }

    /**
     * As above; with {@code models} (a registry directory, or null) the gateway publishes that
     * registry's state to the control topic at start and after each admin action, whose models it
     * checks first, through one long-lived producer.
     */
    public static Factory kafka(KafkaSettings kafka, CouchDbSettings couchDb, String gatewayId, int maxInFlight,
                                int maxDigits, Path models) {
        return registry -> {
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                PredictionStore store = CouchDbPredictionStore.open(couchDb);
                opened.add(store);
                MeterBoard workers = new MeterBoard(kafka, gatewayId, new VersionMeters(registry)).start();
                opened.add(workers);
                ModelAdmin admin = null;
                if (models != null) {
                    ModelRegistry modelRegistry = ModelRegistry.open(models);
                    ControlPublisher publisher = ControlPublisher.start(modelRegistry, kafka, gatewayId);
                    opened.add(publisher);
                    admin = new ModelAdmin(modelRegistry, publisher);
                }
                InferencePipeline pipeline = new KafkaPipeline(kafka, gatewayId, maxInFlight, maxDigits, registry);
                return new Backend(pipeline, store, "Kafka at " + kafka.bootstrapServers() + " (gateway " + gatewayId
                        + "), predictions in " + couchDb.url() + (models == null ? "" : ", models published from " + models),
                        opened, null, workers, admin);
            } catch (IOException | RuntimeException e) {
                closeAll(opened);
                throw e;
            }
        };
    }

    @Override
    public void close() {
        pipeline.close();
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Backend.class).warn("closing {}: {}", resources.get(i), e.getMessage());
            }
        }
    }
}
