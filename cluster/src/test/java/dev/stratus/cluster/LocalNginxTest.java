package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalNginxTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<HttpServer> gateways = new ArrayList<>();

    @BeforeEach
    void startGateways() throws IOException {
        gateways.add(gateway("a"));
        gateways.add(gateway("b"));
    }

    @AfterEach
    void stopGateways() {
        gateways.forEach(server -> server.stop(0));
    }

    @Test
    void balances_round_robin_and_passes_request_id_and_client_address(@TempDir Path dir) throws Exception {
        long pid;
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), LocalNginx.RateLimit.DEFAULT)) {
            pid = nginx.pid();
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(get(nginx, "/api/v1/predictions/x", "req-" + i).body());
            }
            List<String> names = answers.stream().map(answer -> answer.split(" ")[0]).toList();
            assertThat(names).isIn(List.of("a", "b", "a", "b"), List.of("b", "a", "b", "a"));
            assertThat(answers.get(2)).contains("id=req-2", "for=127.0.0.1", "path=/api/v1/predictions/x");

            String generated = get(nginx, "/", null).body();
            assertThat(generated).containsPattern("id=[0-9a-f]{32} ");
        }
        assertThat(LocalKafkaClusterTest.alive(pid)).isFalse();
    }

    @Test
    void sends_reads_to_the_other_gateway_when_one_is_down(@TempDir Path dir) throws Exception {
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), LocalNginx.RateLimit.DEFAULT)) {
            gateways.get(0).stop(0);

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> answer = get(nginx, "/api/v1/status", null);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).startsWith("b ");
            }
        }
    }

    /** Fails on the configuration before it, which answered nginx's 502 HTML page. */
    @Test
    void a_gateway_that_drops_a_request_gets_the_caller_a_json_503_with_retry_after(@TempDir Path dir) throws Exception {
        for (HttpServer gateway : gateways) {
            // As a gateway killed while it holds the request: the connection closes, no answer.
            gateway.createContext("/api/v1/predictions", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.close();
            });
        }
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), LocalNginx.RateLimit.DEFAULT)) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(nginx.url() + "/api/v1/predictions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(answer.headers().firstValue("Retry-After")).contains("1");
            assertThat(answer.body()).contains("\"error\":\"gateway_unavailable\"");
        }
    }

    @Test
    void rejects_bodies_over_one_megabyte(@TempDir Path dir) throws Exception {
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), LocalNginx.RateLimit.DEFAULT)) {
            HttpRequest tooLarge = HttpRequest.newBuilder(URI.create(nginx.url() + "/api/v1/predictions"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024 * 1024 + 1])).build();

            assertThat(http.send(tooLarge, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
        }
    }

    @Test
    void config_listens_on_loopback_only() {
        String config = LocalNginx.config(8080, List.of(9001, 9002), LocalNginx.RateLimit.DEFAULT);

        assertThat(config).contains("listen 127.0.0.1:8080;", "server 127.0.0.1:9001", "server 127.0.0.1:9002",
                "client_max_body_size 1m;", "proxy_next_upstream error timeout;", "keepalive 16;",
                "rate=50r/s;", "limit_req zone=per_client burst=100 nodelay;");
        assertThat(LocalNginx.config(8080, List.of(9001), LocalNginx.RateLimit.OFF)).doesNotContain("limit_req");
    }

    /** Failed before: nginx had no limit_req, so all 30 requests reached the gateways. */
    @Test
    void limits_each_clients_api_requests_with_the_gateways_json_429(@TempDir Path dir) throws Exception {
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), new LocalNginx.RateLimit(2, 3))) {
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answers.add(get(nginx, "/api/v1/predictions/x", null));
            }
            List<HttpResponse<String>> refused = answers.stream().filter(a -> a.statusCode() == 429).toList();

            // The burst and what refilled meanwhile pass (a few), the rest is refused.
            assertThat(answers.stream().filter(a -> a.statusCode() == 200).count()).isGreaterThanOrEqualTo(4);
            assertThat(refused).hasSizeGreaterThanOrEqualTo(15);
            HttpResponse<String> first = refused.get(0);
            assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(first.headers().firstValue("Retry-After")).contains("1");
            assertThat(first.body()).isEqualTo("{\"error\":\"rate_limited\",\"detail\":\"more than 2 requests per second"
                    + " from this client; retry after 1 s\"}");
            // The page and its files are not counted, as at the gateway.
            for (int i = 0; i < 10; i++) {
                assertThat(get(nginx, "/", null).statusCode()).isEqualTo(200);
                assertThat(get(nginx, "/app.js", null).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void without_a_limit_every_request_passes(@TempDir Path dir) throws Exception {
        try (LocalNginx nginx = LocalNginx.start(dir, Processes.freePort(), ports(), LocalNginx.RateLimit.OFF)) {
            for (int i = 0; i < 200; i++) {
                assertThat(get(nginx, "/api/v1/predictions/x", null).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void rejects_a_negative_limit() {
        assertThatThrownBy(() -> new LocalNginx.RateLimit(-1, 0)).hasMessageContaining("--rate-limit");
    }

    private List<Integer> ports() {
        return gateways.stream().map(server -> server.getAddress().getPort()).toList();
    }

    private HttpResponse<String> get(LocalNginx nginx, String path, String requestId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(nginx.url() + path));
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A stand-in gateway that answers with its name and what nginx passed on. */
    private static HttpServer gateway(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(Processes.LOOPBACK, 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = (name + " id=" + exchange.getRequestHeaders().getFirst("X-Request-Id")
                    + " for=" + exchange.getRequestHeaders().getFirst("X-Forwarded-For")
                    + " path=" + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
