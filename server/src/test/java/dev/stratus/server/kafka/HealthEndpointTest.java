package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.server.Http;
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
}
