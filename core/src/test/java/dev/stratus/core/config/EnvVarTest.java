package dev.stratus.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvVarTest {
    private static final EnvVar TIMEOUT = new EnvVar("STRATUS_TIMEOUT_MS", "How long to wait.", "1000");

    @Test
    void unset_and_blank_values_give_the_fallback() {
        assertThat(TIMEOUT.wholeNumber(Map.of(), 1000, 1, 5000, "milliseconds")).isEqualTo(1000);
        assertThat(TIMEOUT.wholeNumber(Map.of("STRATUS_TIMEOUT_MS", "  "), 1000, 1, 5000, "milliseconds"))
                .isEqualTo(1000);
        assertThat(TIMEOUT.path(Map.of())).isNull();
    }

    @Test
    void set_values_are_parsed() {
        assertThat(TIMEOUT.wholeNumber(Map.of("STRATUS_TIMEOUT_MS", " 250 "), 1000, 1, 5000, "milliseconds"))
                .isEqualTo(250);
        assertThat(TIMEOUT.path(Map.of("STRATUS_TIMEOUT_MS", "/tmp/x"))).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void a_bad_value_is_refused_with_the_name_and_the_value() {
        assertThatThrownBy(() -> TIMEOUT.wholeNumber(Map.of("STRATUS_TIMEOUT_MS", "abc"), 1000, 1, 5000, "milliseconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STRATUS_TIMEOUT_MS must be a whole number of milliseconds from 1 to 5000, got 'abc'");
        assertThatThrownBy(() -> TIMEOUT.wholeNumber(Map.of("STRATUS_TIMEOUT_MS", "0"), 1000, 1, 5000, "milliseconds"))
                .hasMessageContaining("STRATUS_TIMEOUT_MS").hasMessageContaining("got '0'");
    }

    @Test
    void help_puts_each_name_on_its_line_and_wraps_the_rest_within_80_columns() {
        EnvVar share = new EnvVar("STRATUS_X", "Share, in %, of something that takes a good many words to explain"
                + " properly, more than one line.", "100 %");

        String[] lines = EnvVar.helpLines(List.of(TIMEOUT, share));

        assertThat(lines).containsExactly(
                "  STRATUS_TIMEOUT_MS",
                "      How long to wait. Default: 1000.",
                "  STRATUS_X",
                "      Share, in %%, of something that takes a good many words to explain",
                "      properly, more than one line. Default: 100 %%.");
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThan(80));
    }

    @Test
    void names_are_environment_variable_names() {
        assertThatThrownBy(() -> new EnvVar("stratus-port", "x", "y")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new EnvVar("STRATUS_KAFKA_<PROPERTY>", "x", "y").name()).isEqualTo("STRATUS_KAFKA_<PROPERTY>");
    }
}
