package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.kafka.MeterPublisher;
import dev.stratus.server.kafka.MeterSnapshot;
import dev.stratus.server.kafka.ModelFollower;
import dev.stratus.server.kafka.Topics;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.models.ShadowRunner;
import dev.stratus.server.models.VersionMeters;
import dev.stratus.server.kafka.HealthEndpoint;
import dev.stratus.server.kafka.InferenceWorker;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stratus worker}: an inference worker of the distributed pipeline. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Consumes digit-requests in micro-batches, classifies with ONNX Runtime, stores in CouchDB,",
                "replies to the gateway; one member of the stratus-workers consumer group."})
final class WorkerCommand implements ServerCommand {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--model", description = "Model directory (default: $STRATUS_MODEL, else the shipped model).")
    Path model;

    @Option(names = "--follow-models", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Follow the model control topic (stratus-models): serve the version it routes to, swapped "
                    + "without a restart once loaded and smoke-tested; --no-follow-models pins --model (default: follow).")
    boolean followModels;

    @Option(names = "--max-batch", defaultValue = "64", description = "Most messages per poll and per network call (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--worker-id", description = "This worker's name in logs and client ids (default: $HOSTNAME-pid).")
    String workerId;

    @Option(names = "--health-port", defaultValue = "-1",
            description = "Serve /health/live, /health/ready and /metrics (Prometheus) on this port (-1: off; 0: a free one).")
    int healthPort;

    @Option(names = "--health-host", defaultValue = "127.0.0.1",
            description = "Address of the health endpoint (0.0.0.0 in a pod, for the kubelet's probes).")
    String healthHost;

    @Override
    public List<EnvVar> environment() {
        return ServerEnvironment.WORKER;
    }

    @Override
    public int call(ServerEnvironment env) throws Exception {
        TempDirectory.requireWritable();
        String id = workerId != null ? workerId : env.instanceId();
        KafkaSettings kafka = cluster.kafka(env.kafka());
        CouchDbSettings couchDb = cluster.couchDb(env.couchDb());
        Model loaded = Model.resolve(model != null ? model : env.model(), OnnxClassifier.Threads.SERVING);
        ModelRouter router = new ModelRouter(loaded);
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(couchDb)) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            VersionMeters versions = new VersionMeters(registry);
            ShadowRunner shadows = new ShadowRunner(registry);
            InferenceWorker worker = InferenceWorker.connect(kafka, id, router, versions, shadows, store, maxBatch,
                    registry);
            ModelFollower follower = followModels ? new ModelFollower(kafka, id, router, registry) : null;
            MeterPublisher meters = new MeterPublisher(kafka, id,
                    () -> MeterSnapshot.of(id, router, versions, shadows.disagreements(), System.currentTimeMillis()), MeterSnapshot.INTERVAL);
            if (follower != null) {
                Thread follow = new Thread(follower, "model-follower");
                follow.setDaemon(true);
                follow.start();
            }
            Thread loop = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("Stopping worker {}: finishing the batch, committing, leaving the group", id);
                worker.close();
                try {
                    loop.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shutdown"));
            HealthEndpoint health = healthPort >= 0
                    ? HealthEndpoint.start(healthHost, healthPort, () -> loop.isAlive(), worker::ready, registry::scrape)
                    : null;
            LOG.info("Worker {} ready: model {}{}, Kafka {}, CouchDB {}{}", id, loaded.version(),
                    follower == null ? " (pinned)" : " (following " + Topics.MODELS + ")", kafka.bootstrapServers(),
                    couchDb.url(), health == null ? "" : ", health on port " + health.port());
            try {
                worker.run();
            } finally {
                meters.close();
                shadows.close();
                if (follower != null) {
                    follower.close();
                }
                if (health != null) {
                    health.close();
                }
            }
        } finally {
            router.close();
        }
        return 0;
    }
}
