package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.config.EnvVar;
import dev.stratus.server.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerEnvironmentTest {

    @Test
    void an_empty_environment_gives_the_defaults() {
        ServerEnvironment env = ServerEnvironment.from(Map.of());

        assertThat(env.host()).isEqualTo("127.0.0.1");
        assertThat(env.port()).isEqualTo(8080);
        assertThat(env.model()).isNull();
        assertThat(env.accessLog()).isEqualTo("INFO");
        assertThat(env.instanceId()).startsWith("host-");
        assertThat(env.kafka().bootstrapServers()).isNull();
        assertThat(env.kafka().sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(env.kafka().client()).isEmpty();
        assertThat(env.couchDb().url()).isNull();
        assertThat(env.couchDb().user()).isNull();
    }

    @Test
    void every_variable_is_read() {
        ServerEnvironment env = ServerEnvironment.from(Map.of("STRATUS_HOST", "0.0.0.0", "STRATUS_PORT", "9090",
                "STRATUS_MODEL", "/models/current", "STRATUS_ACCESS_LOG", "off", "HOSTNAME", "pod/7",
                "STRATUS_KAFKA_BOOTSTRAP", "k1:9092", "STRATUS_KAFKA_SESSION_TIMEOUT_MS", "30000",
                "STRATUS_COUCHDB_URL", "http://couch:5984", "STRATUS_COUCHDB_USER", "stratus",
                "STRATUS_COUCHDB_PASSWORD", "pw-123"));

        assertThat(env.host()).isEqualTo("0.0.0.0");
        assertThat(env.port()).isEqualTo(9090);
        assertThat(env.model()).isEqualTo(Path.of("/models/current"));
        assertThat(env.accessLog()).isEqualTo("OFF");
        assertThat(env.instanceId()).matches("pod-7-\\d+");
        assertThat(env.kafka().bootstrapServers()).isEqualTo("k1:9092");
        assertThat(env.kafka().sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(env.couchDb().settings(null).url().toString()).isEqualTo("http://couch:5984");
        assertThat(env.couchDb().settings(null).user()).isEqualTo("stratus");
        assertThat(env.toString()).doesNotContain("pw-123");
    }

    @Test
    void the_longest_number_is_read_and_checked() {
        assertThat(ServerEnvironment.from(Map.of()).maxDigits()).isEqualTo(16);
        assertThat(ServerEnvironment.from(Map.of("STRATUS_MAX_DIGITS", "8")).maxDigits()).isEqualTo(8);
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_MAX_DIGITS", "65")))
                .hasMessageStartingWith("STRATUS_MAX_DIGITS must be a whole number from 1 to 64");
        assertThatThrownBy(() -> ServerConfig.builder().maxDigits(0).build()).hasMessageContaining("1-64 digits");
    }

    @Test
    void the_session_timeout_reaches_the_worker_settings_and_no_client_property() {
        KafkaSettings settings = ServerEnvironment.from(Map.of("STRATUS_KAFKA_BOOTSTRAP", "k1:9092",
                "STRATUS_KAFKA_SESSION_TIMEOUT_MS", "20000")).kafka().settings(null, 6, 0);

        assertThat(settings.bootstrapServers()).isEqualTo("k1:9092");
        assertThat(settings.sessionTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.client()).isEmpty();
    }

    @Test
    void other_kafka_variables_become_client_properties_and_a_flag_wins_over_the_bootstrap_variable() {
        KafkaSettings settings = ServerEnvironment.from(Map.of("STRATUS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STRATUS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "STRATUS_KAFKA_BOOTSTRAP", "env:9092", "PATH", "/bin"))
                .kafka().settings("flag:9092", 6, 0);

        assertThat(settings.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(settings.client()).containsOnly(Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void a_bad_value_is_refused_naming_the_variable_and_the_value() {
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_KAFKA_SESSION_TIMEOUT_MS", "abc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STRATUS_KAFKA_SESSION_TIMEOUT_MS must be a whole number of milliseconds from 6000 to"
                        + " 1800000, got 'abc'");
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_KAFKA_SESSION_TIMEOUT_MS", "500")))
                .hasMessageContaining("STRATUS_KAFKA_SESSION_TIMEOUT_MS").hasMessageContaining("got '500'");
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_PORT", "80808")))
                .hasMessage("STRATUS_PORT must be a whole number from 0 to 65535, got '80808'");
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_ACCESS_LOG", "loud")))
                .hasMessageStartingWith("STRATUS_ACCESS_LOG must be a log level").hasMessageEndingWith("got 'loud'");
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_COUCHDB_USER", "stratus")))
                .hasMessageContaining("STRATUS_COUCHDB_PASSWORD");
    }

    @Test
    void a_couchdb_url_with_credentials_is_refused_without_showing_them() {
        assertThatThrownBy(() -> ServerEnvironment.from(Map.of("STRATUS_COUCHDB_URL", "http://u:secret@couch:5984")))
                .hasMessageStartingWith("STRATUS_COUCHDB_URL: ")
                .hasMessageNotContaining("secret");
    }

    @Test
    void only_listed_variables_are_read() {
        Set<String> asked = new HashSet<>();
        Map<String, String> recording = new HashMap<>() {
            @Override
            public String get(Object key) {
                asked.add((String) key);
                return super.get(key);
            }
        };

        ServerEnvironment.from(recording);

        assertThat(ServerEnvironment.UP.stream().map(EnvVar::name)).containsAll(asked);
    }
}
