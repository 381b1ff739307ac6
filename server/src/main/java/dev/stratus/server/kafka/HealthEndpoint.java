package dev.stratus.server.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus' text format) for a
 * process that serves no other HTTP (the worker), so that an orchestrator can probe it and
 * Prometheus scrape it. JDK server, one thread, nothing else exposed.
 */
public final class HealthEndpoint implements AutoCloseable {
    private final HttpServer server;

    private HealthEndpoint(HttpServer server) {
        this.server = server;
    }

    public static HealthEndpoint start(String host, int port, BooleanSupplier live, BooleanSupplier ready)
            throws IOException {
        return start(host, port, live, ready, null);
    }

    /** As {@link #start(String, int, BooleanSupplier, BooleanSupplier)}, with {@code metrics} at /metrics. */
    public static HealthEndpoint start(String host, int port, BooleanSupplier live, BooleanSupplier ready,
                                       Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/health/live", exchange -> answer(exchange, live.getAsBoolean()));
        server.createContext("/health/ready", exchange -> answer(exchange, ready.getAsBoolean()));
        if (metrics != null) {
            server.createContext("/metrics", exchange -> {
                byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.start();
        return new HealthEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, boolean up) throws IOException {
        byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(up ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
