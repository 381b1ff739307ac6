package dev.stratus.server;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.kafka.KafkaPipeline;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.MicroBatchingPipeline;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.SqlPredictionStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What answers behind the HTTP layer: an inference pipeline and a prediction store, plus what
 * must be closed with them. Embedded (one JVM) or distributed (Kafka workers and CouchDB).
 */
public record Backend(InferencePipeline pipeline, PredictionStore store, String description,
                      List<AutoCloseable> resources) implements AutoCloseable {

    /** Builds a backend once the server's meter registry exists. */
    @FunctionalInterface
    public interface Factory {
        Backend create(MeterRegistry registry) throws IOException;
    }

    /** The model in this JVM behind a micro-batching queue, predictions in an H2 file. */
    public static Factory embedded(ServerConfig config) {
        return registry -> embedded(config, Model.resolve(config.storage().modelDirectory(),
                OnnxClassifier.Threads.SERVING), true).create(registry);
    }

    /** The same with a model already loaded; closed with the backend only if {@code closeModel}. */
    public static Factory embedded(ServerConfig config, Model model, boolean closeModel) {
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

    /** Requests through Kafka to the inference workers, predictions read from CouchDB. */
    public static Factory kafka(KafkaSettings kafka, CouchDbSettings couchDb, String gatewayId, int maxInFlight) {
        return kafka(kafka, couchDb, gatewayId, maxInFlight, ServerConfig.Numbers.DEFAULT_MAX_DIGITS);
    }

    /** As above, numbers of more than {@code maxDigits} digits refused. */
    public static Factory kafka(KafkaSettings kafka, CouchDbSettings couchDb, String gatewayId, int maxInFlight,
                                int maxDigits) {
        return registry -> {
            PredictionStore store = CouchDbPredictionStore.open(couchDb);
            try {
                InferencePipeline pipeline = new KafkaPipeline(kafka, gatewayId, maxInFlight, maxDigits, registry);
                return new Backend(pipeline, store, "Kafka at " + kafka.bootstrapServers() + " (gateway " + gatewayId
                        + "), predictions in " + couchDb.url(), List.of(store));
            } catch (RuntimeException e) {
                store.close();
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
