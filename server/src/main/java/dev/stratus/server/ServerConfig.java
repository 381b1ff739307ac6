package dev.stratus.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is configured with, read once (flags, environment) and validated here.
 *
 * @param host              address to bind; 127.0.0.1 unless deliberately opened
 * @param port              TCP port; 0 picks a free one
 * @param dataDirectory     where the embedded prediction store keeps its file
 * @param modelDirectory    a model directory, or null for {@code STRATUS_MODEL} / the shipped model
 * @param maxBodyBytes      larger request bodies are refused with 413
 * @param rateLimitPerSecond sustained requests per second per client address on the API; 0 disables
 * @param rateLimitBurst    requests a client may send at once before the rate applies
 * @param queueCapacity     images waiting for inference; beyond it requests are refused with 503
 * @param maxBatch          most images classified in one call
 * @param batchDelay        longest a batch waits to fill once its first image is taken
 * @param inferenceTimeout  a prediction not answered within this gets 504
 */
public record ServerConfig(String host, int port, Path dataDirectory, Path modelDirectory, long maxBodyBytes,
                           double rateLimitPerSecond, int rateLimitBurst, int queueCapacity, int maxBatch,
                           Duration batchDelay, Duration inferenceTimeout) {

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (rateLimitPerSecond < 0 || rateLimitBurst < 1) {
            throw new IllegalArgumentException("rate limit must be >= 0 and burst >= 1");
        }
        if (queueCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("queue capacity and batch size must be positive");
        }
        if (batchDelay.isNegative() || inferenceTimeout.isNegative() || inferenceTimeout.isZero()) {
            throw new IllegalArgumentException("batch delay must be >= 0 and the timeout positive");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080,
                Path.of(System.getProperty("user.home"), ".local", "share", "stratus"), null,
                1024 * 1024, 50, 100, 4096, 64, Duration.ofNanos(200_000), Duration.ofSeconds(5));
    }

    public ServerConfig withPort(int value) {
        return new ServerConfig(host, value, dataDirectory, modelDirectory, maxBodyBytes, rateLimitPerSecond,
                rateLimitBurst, queueCapacity, maxBatch, batchDelay, inferenceTimeout);
    }

    public ServerConfig withDataDirectory(Path value) {
        return new ServerConfig(host, port, value, modelDirectory, maxBodyBytes, rateLimitPerSecond,
                rateLimitBurst, queueCapacity, maxBatch, batchDelay, inferenceTimeout);
    }

    public ServerConfig withRateLimit(double perSecond, int burst) {
        return new ServerConfig(host, port, dataDirectory, modelDirectory, maxBodyBytes, perSecond, burst,
                queueCapacity, maxBatch, batchDelay, inferenceTimeout);
    }

    public ServerConfig withQueue(int capacity, int batch, Duration delay, Duration timeout) {
        return new ServerConfig(host, port, dataDirectory, modelDirectory, maxBodyBytes, rateLimitPerSecond,
                rateLimitBurst, capacity, batch, delay, timeout);
    }
}
