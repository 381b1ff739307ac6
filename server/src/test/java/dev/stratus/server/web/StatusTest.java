package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.server.Backend;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.SilentPipeline;
import dev.stratus.server.store.MemoryStore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/status}, the public port's one word on readiness (the page's status pill,
 * {@code bench serve}'s wait): ready or not and the model, nothing of the queue or the parts,
 * which the management port's {@code /health/ready} keeps for the operator.
 */
class StatusTest {

    @Test
    void an_embedded_server_is_ready_with_its_model_and_says_nothing_more(@TempDir Path data) throws IOException {
        try (StratusServer server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data)
                .rateLimit(0, 1).build())) {
            HttpResponse<String> status = new Http(server.url()).get(WebApp.STATUS);

            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(status.headers().firstValue("Cache-Control")).hasValue("no-store");
            JsonNode body = ApiTest.json(status);
            assertThat(body.get("status").asText()).isEqualTo("ready");
            assertThat(body.get("modelVersion").asText()).startsWith("stratus-");
            assertThat(body.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("status", "modelVersion");
        }
    }

    @Test
    void a_pipeline_that_is_not_ready_is_503_unavailable_and_a_remote_model_goes_unnamed(@TempDir Path data)
            throws IOException {
        AtomicBoolean ready = new AtomicBoolean(false);
        MemoryStore store = new MemoryStore();
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(data).rateLimit(0, 1).build();
        try (StratusServer server = StratusServer.start(config, registry -> new Backend(remote(ready), store,
                "remote", List.of()))) {
            Http http = new Http(server.url());

            HttpResponse<String> starting = http.get(WebApp.STATUS);
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(ApiTest.json(starting).get("status").asText()).isEqualTo("unavailable");
            assertThat(ApiTest.json(starting).has("modelVersion")).isFalse();

            ready.set(true);
            HttpResponse<String> up = http.get(WebApp.STATUS);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(ApiTest.json(up).get("status").asText()).isEqualTo("ready");
            assertThat(ApiTest.json(up).has("modelVersion")).as("the workers run the model, not this gateway").isFalse();
        }
    }

    /** A pipeline whose model runs elsewhere (as Kafka's), ready when told. */
    private static InferencePipeline remote(AtomicBoolean ready) {
        return new SilentPipeline(ready::get);
    }
}
