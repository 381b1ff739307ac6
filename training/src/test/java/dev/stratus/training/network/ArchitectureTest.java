package dev.stratus.training.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void the_paper_network_has_the_size_keras_reported() {
        // Conv2D(32, 3x3): 320; Dense(100) over 13x13x32: 540,900; Dense(10): 1,010.
        assertThat(Architecture.PAPER.parameters()).isEqualTo(542_230);
        assertThat(Architecture.PAPER.describe()).containsExactly("Conv2D 32 3x3", "ReLU", "MaxPool 2x2", "Flatten",
                "Dense 100", "ReLU", "Dense 10");
    }

    @Test
    void the_default_network_stays_cheap_to_serve() {
        assertThat(Architecture.STRATUS.multiplyAdds()).isLessThan(2_500_000);
        assertThat(Architecture.byName("stratus")).isSameAs(Architecture.STRATUS);
    }

    @Test
    void an_unknown_name_lists_the_choices() {
        assertThatThrownBy(() -> Architecture.byName("resnet"))
                .hasMessageContaining("unknown architecture 'resnet'")
                .hasMessageContaining("stratus")
                .hasMessageContaining("paper");
    }
}
