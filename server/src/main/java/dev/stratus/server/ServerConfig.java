package dev.stratus.server;

import dev.stratus.core.segment.Segmenter;
import dev.stratus.server.store.NumberDigits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is configured with, in four groups, each validated in its own record.
 * Built with {@link #builder()}, which starts from the defaults.
 *
 * @param network   where it listens and how large a request may be
 * @param rateLimit how fast one client may call the API
 * @param queue     how images wait for inference and for how long
 * @param storage   where predictions are kept and which model answers
 * @param numbers   how long a number read from a whole image may be
 * @param admin     the token that opens the admin routes, or {@link AdminToken#NONE}: they are off
 */
public record ServerConfig(Network network, RateLimit rateLimit, Queue queue, Storage storage, Numbers numbers,
                           AdminToken admin) {

    public ServerConfig {
        if (network == null || rateLimit == null || queue == null || storage == null || numbers == null
                || admin == null) {
            throw new IllegalArgumentException("every group of the server's configuration must be set");
        }
    }

    /** The first four groups, numbers as by default, no admin routes. */
    public ServerConfig(Network network, RateLimit rateLimit, Queue queue, Storage storage) {
        this(network, rateLimit, queue, storage, new Numbers(Numbers.DEFAULT_MAX_DIGITS));
    }

    /** Without admin routes. */
    public ServerConfig(Network network, RateLimit rateLimit, Queue queue, Storage storage, Numbers numbers) {
        this(network, rateLimit, queue, storage, numbers, AdminToken.NONE);
    }

    /**
     * @param host         address to bind; 127.0.0.1 unless deliberately opened
     * @param port         TCP port of the page and the API; 0 picks a free one
     * @param managementPort TCP port of health and metrics, on the same host (probes and
     *                       Prometheus; not for the Ingress); 0 picks a free one
     * @param maxBodyBytes   larger request bodies are refused with 413
     * @param requestTimeout a request (line, headers and body) must arrive whole within this from
     *                       its first byte, else it is answered 408 (or, mid-headers, closed): a
     *                       slow upload holds a connection and its partial body for no longer
     */
    public record Network(String host, int port, int managementPort, long maxBodyBytes, Duration requestTimeout) {
        /** Ten seconds: a 1 MiB body needs about 105 KB/s; a canvas PNG (10-30 KB) 3 KB/s. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_MANAGEMENT_PORT = 8081;

        /** Health and metrics on a free port: for copies of a server that nothing scrapes, and tests. */
        public Network(String host, int port, long maxBodyBytes) {
            this(host, port, 0, maxBodyBytes, DEFAULT_REQUEST_TIMEOUT);
        }

        public Network {
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("the request timeout must be positive, got " + requestTimeout);
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be empty");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0-65535, got " + port);
            }
            if (managementPort < 0 || managementPort > 65_535) {
                throw new IllegalArgumentException("the management port must be 0-65535, got " + managementPort);
            }
            if (port != 0 && port == managementPort) {
                throw new IllegalArgumentException("the management port must differ from the port, both are " + port);
            }
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException("the body limit must be at least 1024 bytes, got " + maxBodyBytes);
            }
        }
    }

    /**
     * @param perSecond sustained requests per second per client address on the API; 0 disables
     * @param burst     requests a client may send at once before the rate applies
     */
    public record RateLimit(double perSecond, int burst) {
        public RateLimit {
            if (!(perSecond >= 0) || burst < 1) {
                throw new IllegalArgumentException("rate limit must be >= 0 and burst >= 1, got " + perSecond
                        + " and " + burst);
            }
        }
    }

    /**
     * @param capacity   images waiting for inference; beyond it requests are refused with 503
     * @param maxBatch   most images classified in one call
     * @param batchDelay longest a batch waits to fill once its first image is taken
     * @param timeout    a prediction not answered within this gets 504
     */
    public record Queue(int capacity, int maxBatch, Duration batchDelay, Duration timeout) {
        public Queue {
            if (capacity < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("queue capacity and batch size must be positive");
            }
            if (batchDelay == null || timeout == null || batchDelay.isNegative() || timeout.isNegative()
                    || timeout.isZero()) {
                throw new IllegalArgumentException("batch delay must be >= 0 and the timeout positive");
            }
        }
    }

    /**
     * @param dataDirectory  where the embedded prediction store keeps its file
     * @param modelDirectory a model directory, or null for the shipped model
     * @param registryDirectory a model registry to serve from and follow, or null to serve one fixed model
     */
    public record Storage(Path dataDirectory, Path modelDirectory, Path registryDirectory) {
        public Storage {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("the data directory must be set");
            }
            if (modelDirectory != null && registryDirectory != null) {
                throw new IllegalArgumentException("serve a model directory (--model) or a registry (--registry), not both");
            }
        }

        public Storage(Path dataDirectory, Path modelDirectory) {
            this(dataDirectory, modelDirectory, null);
        }
    }

    /**
     * @param maxDigits an image read as more digits than this is refused with 400
     *                  {@code number_too_long}; at most {@value NumberDigits#MAX_DIGITS}
     */
    public record Numbers(int maxDigits) {
        public static final int DEFAULT_MAX_DIGITS = Segmenter.DEFAULT_MAX_DIGITS;

        public Numbers {
            if (maxDigits < 1 || maxDigits > NumberDigits.MAX_DIGITS) {
                throw new IllegalArgumentException("the longest number must be 1-" + NumberDigits.MAX_DIGITS
                        + " digits, got " + maxDigits);
            }
        }
    }

    /** {@code ~/.local/share/stratus}. */
    public static Path defaultDataDirectory() {
        return Path.of(System.getProperty("user.home"), ".local", "share", "stratus");
    }

    public static ServerConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults; set what differs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings one at a time; {@link #build()} checks them, group by group. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        /** Null: {@value Network#DEFAULT_MANAGEMENT_PORT}, or a free one when the port is a free one. */
        private Integer managementPort;
        private long maxBodyBytes = 1024 * 1024;
        private Duration requestTimeout = Network.DEFAULT_REQUEST_TIMEOUT;
        private double ratePerSecond = 50;
        private int rateBurst = 100;
        private int queueCapacity = 4096;
        private int maxBatch = 64;
        private Duration batchDelay = Duration.ofNanos(200_000);
        private Duration inferenceTimeout = Duration.ofSeconds(5);
        private Path dataDirectory = defaultDataDirectory();
        private Path modelDirectory;
        private Path registryDirectory;
        private AdminToken admin = AdminToken.NONE;
        private int maxDigits = Numbers.DEFAULT_MAX_DIGITS;

        private Builder() {
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        /**
         * Where health and metrics are served; 0 picks a free one. Unset, it is
         * {@value Network#DEFAULT_MANAGEMENT_PORT}, or a free one when {@link #port(int)} is 0 (tests).
         */
        public Builder managementPort(int value) {
            managementPort = value;
            return this;
        }

        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        /** {@code perSecond} 0 disables the limit. */
        public Builder rateLimit(double perSecond, int burst) {
            ratePerSecond = perSecond;
            rateBurst = burst;
            return this;
        }

        public Builder queueCapacity(int value) {
            queueCapacity = value;
            return this;
        }

        public Builder maxBatch(int value) {
            maxBatch = value;
            return this;
        }

        public Builder batchDelay(Duration value) {
            batchDelay = value;
            return this;
        }

        public Builder inferenceTimeout(Duration value) {
            inferenceTimeout = value;
            return this;
        }

        public Builder dataDirectory(Path value) {
            dataDirectory = value;
            return this;
        }

        /** Null serves the shipped model. */
        public Builder admin(AdminToken value) {
            admin = value;
            return this;
        }

        /** Null serves one fixed model; a directory serves its registry's active version and follows its changes. */
        public Builder registryDirectory(Path value) {
            registryDirectory = value;
            return this;
        }

        public Builder modelDirectory(Path value) {
            modelDirectory = value;
            return this;
        }

        public Builder maxDigits(int value) {
            maxDigits = value;
            return this;
        }

        /** As set, else a free one beside a free port, else {@value Network#DEFAULT_MANAGEMENT_PORT}. */
        private int managementPort() {
            if (managementPort != null) {
                return managementPort;
            }
            return port == 0 ? 0 : Network.DEFAULT_MANAGEMENT_PORT;
        }

        public ServerConfig build() {
            return new ServerConfig(new Network(host, port, managementPort(), maxBodyBytes, requestTimeout),
                    new RateLimit(ratePerSecond, rateBurst),
                    new Queue(queueCapacity, maxBatch, batchDelay, inferenceTimeout),
                    new Storage(dataDirectory, modelDirectory, registryDirectory), new Numbers(maxDigits), admin);
        }
    }
}
