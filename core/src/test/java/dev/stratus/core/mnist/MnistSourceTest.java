package dev.stratus.core.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MnistSourceTest {

    @Test
    void the_data_directory_is_the_flag_then_the_environment_then_the_cache() {
        MnistSource configured = MnistSource.from(Map.of("STRATUS_DATA", "/data/env"));
        Path flag = Path.of("/data/flag");

        assertThat(configured.files(flag).directory()).isEqualTo(flag);
        assertThat(configured.files(null).directory()).isEqualTo(Path.of("/data/env"));
        assertThat(MnistSource.from(Map.of()).files(null).directory().toString()).endsWith(".cache/stratus/mnist");
    }

    @Test
    void a_configured_mirror_is_tried_first() {
        assertThat(MnistSource.from(Map.of("STRATUS_MNIST_MIRROR", "http://127.0.0.1:9/m")).mirrors())
                .startsWith("http://127.0.0.1:9/m/")
                .containsAll(MnistFiles.MIRRORS);
        assertThat(MnistSource.from(Map.of()).mirrors()).isEqualTo(MnistFiles.MIRRORS);
    }

    @Test
    void a_mirror_that_is_not_an_http_url_is_refused_by_name() {
        assertThatThrownBy(() -> MnistSource.from(Map.of("STRATUS_MNIST_MIRROR", "ftp://mirror/mnist")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STRATUS_MNIST_MIRROR must be an http(s) URL, got 'ftp://mirror/mnist'");
    }
}
