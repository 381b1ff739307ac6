package dev.stratus.server;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.kafka.HealthEndpoint;
import dev.stratus.server.kafka.InferenceWorker;
import dev.stratus.server.store.CouchDbPredictionStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stratus worker}: an inference worker of the distributed pipeline. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Consumes digit-requests in micro-batches, classifies with ONNX Runtime, stores in CouchDB,",
                "replies to the gateway; one member of the stratus-workers consumer group."})
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--model", description = "Model directory (default: $STRATUS_MODEL, else the shipped model).")
    Path model;

    @Option(names = "--max-batch", defaultValue = "64", description = "Most messages per poll and per network call (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--worker-id", description = "This worker's name in logs and client ids (default: host-pid).")
    String workerId;

    @Option(names = "--health-port", defaultValue = "-1",
            description = "Serve /health/live, /health/ready and /metrics (Prometheus) on this port (-1: off; 0: a free one).")
    int healthPort;

    @Option(names = "--health-host", defaultValue = "127.0.0.1",
            description = "Address of the health endpoint (0.0.0.0 in a pod, for the kubelet's probes).")
    String healthHost;

    static String defaultId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "host");
        return (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "-");
    }

    @Override
    public Integer call() throws Exception {
        TempDirectory.requireWritable();
        String id = workerId != null ? workerId : defaultId();
        try (Model loaded = Model.resolve(model, System.getenv(), OnnxClassifier.Threads.DEFAULT);
             CouchDbPredictionStore store = CouchDbPredictionStore.open(cluster.couchDb())) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            InferenceWorker worker = InferenceWorker.connect(cluster.kafka(), id, loaded, store, maxBatch, registry);
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
            LOG.info("Worker {} ready: model {}, Kafka {}, CouchDB {}{}", id, loaded.version(), cluster.bootstrap, cluster.couchDb,
                    health == null ? "" : ", health on port " + health.port());
            try {
                worker.run();
            } finally {
                if (health != null) {
                    health.close();
                }
            }
        }
        return 0;
    }
}
