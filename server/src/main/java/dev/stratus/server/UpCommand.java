package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.model.Model;
import dev.stratus.server.store.SqlPredictionStore;
import dev.stratus.server.warmup.Warmup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code stratus up}: the app in embedded mode, one JVM, no external services. */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the app: drawing page, prediction API, metrics. Embedded mode: one JVM, no external services.")
final class UpCommand implements ServerCommand {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    @Option(names = "--host", description = "Address to bind (default: $STRATUS_HOST, else 127.0.0.1; 0.0.0.0 opens it to the network).")
    String host;

    @Option(names = "--port", description = "TCP port (default: $STRATUS_PORT, else 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--management-port",
            description = "TCP port of /health/* and /metrics on the same address, for probes and Prometheus, "
                    + "not the Ingress (default 8081, or a free one when --port is 0; 0 picks a free one).")
    Integer managementPort;

    @Option(names = "--data-dir", description = "Where predictions are stored (default ~/.local/share/stratus).")
    Path dataDir;

    @Option(names = "--model", description = "Model directory (default: $STRATUS_MODEL, else the shipped model).")
    Path model;

    @Option(names = "--registry",
            description = "Embedded: serve the active version of this model registry and follow its changes "
                    + "(promote, rollback, canary, shadow) without a restart; kafka: publish its state to the "
                    + "workers and serve the admin routes; see 'stratus models' "
                    + "(default: $STRATUS_MODELS, else one fixed model).")
    Path registry;

    @Option(names = "--max-body", defaultValue = "1048576", description = "Largest request body in bytes (default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--rate-limit", defaultValue = "50", description = "API requests per second per client address, 0 = off (default ${DEFAULT-VALUE}).")
    double rateLimit;

    @Option(names = "--rate-burst", defaultValue = "100", description = "Requests a client may send at once (default ${DEFAULT-VALUE}).")
    int rateBurst;

    @Option(names = "--queue-capacity", defaultValue = "4096", description = "Images waiting for inference before 503 (default ${DEFAULT-VALUE}).")
    int queueCapacity;

    @Option(names = "--max-batch", defaultValue = "64", description = "Most images per call to the network (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--batch-delay-us", defaultValue = "200", description = "Longest a batch waits to fill, microseconds (default ${DEFAULT-VALUE}).")
    long batchDelayMicros;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "Inference timeout before 504, milliseconds (default ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = "--max-digits", description = "Longest number POST /api/v1/numbers reads before 400 "
            + "number_too_long, 1-64 (default: $STRATUS_MAX_DIGITS, else 16).")
    Integer maxDigits;

    @Option(names = "--warmup-seconds", defaultValue = "20",
            description = "Embedded: before reporting ready, drive a throwaway copy of the request path until the JIT "
                    + "compiler is quiet, for at most this long; 0 = off (default ${DEFAULT-VALUE}).")
    long warmupSeconds;

    @Option(names = "--pipeline", defaultValue = "embedded",
            description = "embedded (the model in this JVM) or kafka (through Kafka to 'stratus worker' processes). Default: ${DEFAULT-VALUE}.")
    String pipeline;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--gateway-id", description = "This gateway's name; its replies arrive on digit-replies.<id> (default: $HOSTNAME-pid).")
    String gatewayId;

    @Option(names = "--max-in-flight", defaultValue = "4096", description = "Requests waiting for workers before 503 (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Override
    public List<EnvVar> environment() {
        return ServerEnvironment.UP;
    }

    @Override
    public int call(ServerEnvironment env) throws Exception {
        TempDirectory.requireWritable();
        ServerConfig config = config(env);
        long start = System.nanoTime();
        StratusServer server = StratusServer.start(config, backend(config, env));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping Stratus");
            server.close();
            stopped.countDown();
        }, "shutdown"));
        LOG.info("Serving with {}", server.description());
        LOG.info("Stratus is ready on {} ({} ms); health and metrics on {}", server.url(),
                (System.nanoTime() - start) / 1_000_000, server.managementUrl());
        stopped.await();
        return 0;
    }

    /**
     * --registry, else (no --model) $STRATUS_MODELS; null serves one fixed model. A Kafka gateway
     * runs no model: it publishes the registry's state to the workers and serves the admin routes.
     */
    private Path registry(ServerEnvironment env) {
        return registry != null ? registry : model == null ? env.registry() : null;
    }

    /** The flags, else the environment, else the defaults. */
    ServerConfig config(ServerEnvironment env) {
        ServerConfig.Builder builder = ServerConfig.builder();
        if (managementPort != null) {
            builder.managementPort(managementPort);
        }
        return builder
                .host(host != null ? host : env.host())
                .port(port != null ? port : env.port())
                .maxBodyBytes(maxBody)
                .rateLimit(rateLimit, rateBurst)
                .queueCapacity(queueCapacity)
                .maxBatch(maxBatch)
                .batchDelay(Duration.ofNanos(batchDelayMicros * 1_000))
                .inferenceTimeout(Duration.ofMillis(timeoutMillis))
                .dataDirectory(dataDir != null ? dataDir : ServerConfig.defaultDataDirectory())
                .modelDirectory(model != null ? model : registry(env) != null ? null : env.model())
                .registryDirectory(registry(env))
                .admin(env.admin())
                .maxDigits(maxDigits != null ? maxDigits : env.maxDigits())
                .build();
    }

    private Backend.Factory backend(ServerConfig config, ServerEnvironment env) throws IOException {
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup-seconds must be 0 or more, got " + warmupSeconds);
        }
        return switch (pipeline) {
            case "embedded" -> warmupSeconds > 0 ? warmed(config) : Backend.embedded(config);
            case "kafka" -> Backend.kafka(cluster.kafka(env.kafka()), cluster.couchDb(env.couchDb()),
                    gatewayId != null ? gatewayId : env.instanceId(), maxInFlight, config.numbers().maxDigits(),
                    config.storage().registryDirectory());
            default -> throw new IllegalArgumentException("--pipeline is 'embedded' or 'kafka', not '" + pipeline + "'");
        };
    }

    /** The embedded backend, its model loaded once and its request path warmed before the port opens. */
    private Backend.Factory warmed(ServerConfig config) throws IOException {
        // A data directory that cannot be opened fails now, with its own message, not after the warm-up.
        SqlPredictionStore.open(DataDirectory.prepare(config.storage().dataDirectory())).close();
        Model model = Backend.initialModel(config);
        try {
            LOG.info("Warmed up: {}", Warmup.run(config, model, Duration.ofSeconds(warmupSeconds)));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return Backend.embedded(config, model, true);
    }
}
