package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.server.Http;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

    @Test
    void answers_up_or_down_as_the_worker_is() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        try (HealthEndpoint health = HealthEndpoint.start("127.0.0.1", 0, () -> true, ready::get)) {
            Http http = new Http("http://127.0.0.1:" + health.port());

            assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(http.get("/health/ready").statusCode()).isEqualTo(503);
            assertThat(http.get("/health/ready").body()).contains("DOWN");
            ready.set(true);
            assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void serves_the_worker_counters_in_prometheus_format() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.of(registry);
        metrics.deadLetters().increment(3);
        metrics.batchSizes().record(7);
        try (HealthEndpoint health = HealthEndpoint.start("127.0.0.1", 0, () -> true, () -> true, registry::scrape)) {
            var answer = new Http("http://127.0.0.1:" + health.port()).get("/metrics");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("stratus_worker_dead_letters_total 3.0",
                    "stratus_worker_batch_size_count 1", "stratus_worker_store_retries_total 0.0");
        }
    }
}
