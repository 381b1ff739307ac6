package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health and metrics only on the management port (issue 15, finding 4): the public port, which
 * the Ingress exposes, answers 404 for /metrics and /health/*; the management port serves health
 * and metrics and nothing else, on the same host.
 */
class ManagementPortTest {
    @TempDir
    static Path data;
    static StratusServer server;
    static Http api;
    static Http management;

    @BeforeAll
    static void start() throws IOException {
        server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).build());
        api = new Http(server.url());
        management = new Http(server.managementUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void the_public_port_does_not_serve_metrics() {
        HttpResponse<String> metrics = api.get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(404);
        assertThat(metrics.body()).doesNotContain("jvm_").doesNotContain("stratus_inference");
        assertThat(api.get("/metrics/").statusCode()).isEqualTo(404);
    }

    @Test
    void the_management_port_serves_metrics_and_health() {
        assertThat(api.postJson("/api/v1/predictions", Digits.pixelsJson(3)).statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = management.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(metrics.body()).contains("http_server_requests_seconds_count{method=\"POST\",route=\"/api/v1/predictions\",status=\"200\"}")
                .contains("stratus_inference_queue_depth").contains("jvm_memory_used_bytes");
        assertThat(management.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(management.get("/health/ready").body()).contains("\"status\":\"UP\"");
    }

    @Test
    void the_management_port_serves_neither_the_page_nor_the_api() {
        assertThat(management.get("/").statusCode()).isEqualTo(404);
        assertThat(management.get("/index.html").statusCode()).isEqualTo(404);
        assertThat(management.get("/api/openapi.json").statusCode()).isEqualTo(404);
        HttpResponse<String> predict = management.postJson("/api/v1/predictions", Digits.pixelsJson(3));
        assertThat(predict.statusCode()).isEqualTo(404);
        assertThat(predict.body()).contains("\"error\":\"not_found\"");
    }

    @Test
    void both_ports_are_on_the_configured_host_and_differ() {
        URI publicUri = URI.create(server.url());
        URI managementUri = URI.create(server.managementUrl());

        assertThat(managementUri.getHost()).isEqualTo(publicUri.getHost()).isEqualTo("127.0.0.1");
        assertThat(managementUri.getPort()).isPositive().isNotEqualTo(publicUri.getPort());
    }

    @Test
    void a_management_port_in_use_fails_the_start_naming_the_flag(@TempDir Path other) {
        int taken = URI.create(server.managementUrl()).getPort();

        assertThatThrownBy(() -> StratusServer.start(ServerConfig.builder().port(0).managementPort(taken)
                .dataDirectory(other).build()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the management port (--management-port)").hasMessageContaining(":" + taken);
    }

    /** Failed before: the public port answered both 200, /health/ready with the queue's depth. */
    @Test
    void the_public_port_does_not_serve_health() {
        for (String path : new String[] {"/health/live", "/health/ready", "/health", "/health/"}) {
            HttpResponse<String> health = api.get(path);

            assertThat(health.statusCode()).as(path).isEqualTo(404);
            assertThat(health.body()).as(path).doesNotContain("queueDepth").doesNotContain("\"UP\"");
        }
        assertThat(management.get("/health/ready").body()).contains("\"queueDepth\"");
    }
}
