package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void the_builder_starts_from_the_defaults() {
        ServerConfig config = ServerConfig.defaults();

        assertThat(config.network()).isEqualTo(new ServerConfig.Network("127.0.0.1", 8080, 8081, 1024 * 1024,
                ServerConfig.Network.DEFAULT_REQUEST_TIMEOUT));
        assertThat(config.rateLimit()).isEqualTo(new ServerConfig.RateLimit(50, 100));
        assertThat(config.queue()).isEqualTo(new ServerConfig.Queue(4096, 64, Duration.ofNanos(200_000),
                Duration.ofSeconds(5)));
        assertThat(config.storage().dataDirectory()).isEqualTo(ServerConfig.defaultDataDirectory());
        assertThat(config.storage().modelDirectory()).isNull();
    }

    @Test
    void the_management_port_is_8081_a_free_one_beside_a_free_port_or_what_is_set() {
        assertThat(ServerConfig.builder().port(9000).build().network().managementPort()).isEqualTo(8081);
        assertThat(ServerConfig.builder().port(0).build().network().managementPort()).isZero();
        assertThat(ServerConfig.builder().port(0).managementPort(9100).build().network().managementPort()).isEqualTo(9100);
        assertThatThrownBy(() -> ServerConfig.builder().port(9000).managementPort(9000).build())
                .hasMessageContaining("the management port must differ from the port");
        assertThatThrownBy(() -> ServerConfig.builder().managementPort(70_000).build()).hasMessageContaining("0-65535");
    }

    @Test
    void a_setting_changes_only_itself() {
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(Path.of("/tmp/s")).maxBatch(8).build();

        assertThat(config.network().port()).isZero();
        assertThat(config.network().host()).isEqualTo("127.0.0.1");
        assertThat(config.storage().dataDirectory()).isEqualTo(Path.of("/tmp/s"));
        assertThat(config.queue().maxBatch()).isEqualTo(8);
        assertThat(config.queue().capacity()).isEqualTo(4096);
    }

    @Test
    void each_group_checks_its_values() {
        assertThatThrownBy(() -> ServerConfig.builder().port(70_000).build()).hasMessageContaining("port must be 0-65535");
        assertThatThrownBy(() -> ServerConfig.builder().maxBodyBytes(10).build()).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> ServerConfig.builder().rateLimit(-1, 1).build()).hasMessageContaining("rate limit");
        assertThatThrownBy(() -> ServerConfig.builder().queueCapacity(0).build()).hasMessageContaining("queue capacity");
        assertThatThrownBy(() -> ServerConfig.builder().inferenceTimeout(Duration.ZERO).build())
                .hasMessageContaining("timeout positive");
        assertThatThrownBy(() -> ServerConfig.builder().host(" ").build()).hasMessageContaining("host");
    }
}
