package dev.stratus.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StrokeRendererTest {
    private final StrokeRenderer renderer = new StrokeRenderer();
    private final Preprocessor preprocessor = new Preprocessor();

    /** A 7: a bar and a slanted stem, drawn {@code size} units tall at (x, y). */
    private static Strokes seven(float x, float y, float size) {
        return new Strokes(List.of(new float[] {x, y, x + 0.6f * size, y, x + 0.25f * size, y + size}));
    }

    @Test
    void the_same_shape_drawn_at_20_or_3000_units_gives_the_same_28x28_input() {
        float[] small = preprocessor.apply(renderer.render(seven(5, 5, 20))).pixels();
        float[] large = preprocessor.apply(renderer.render(seven(400, 90, 3000))).pixels();
        double difference = 0;
        double ink = 0;
        for (int i = 0; i < small.length; i++) {
            difference += Math.abs(small[i] - large[i]);
            ink += small[i];
        }
        assertThat(difference / ink).as("relative difference of the two inputs").isLessThan(0.02);
    }

    @Test
    void the_pen_is_an_mnist_like_share_of_the_box_and_anti_aliased() {
        GreyImage line = renderer.render(new Strokes(List.of(new float[] {0, 0, 0, 100})));
        int middle = line.height() / 2;
        double width = 0;
        boolean partial = false;
        for (int x = 0; x < line.width(); x++) {
            float v = line.at(x, middle);
            width += v;
            partial |= v > 0.05f && v < 0.95f;
        }
        assertThat(width).isCloseTo(StrokeRenderer.PEN_RATIO * StrokeRenderer.SIDE,
                org.assertj.core.data.Offset.offset(1.0));
        assertThat(partial).as("edge pixels are partly covered").isTrue();
        assertThat(line.height()).isGreaterThanOrEqualTo(StrokeRenderer.SIDE);
    }

    @Test
    void a_single_point_is_a_round_dot_and_bad_strokes_are_refused() {
        GreyImage dot = renderer.render(new Strokes(List.of(new float[] {3, 4})));
        assertThat(dot.at(dot.width() / 2, dot.height() / 2)).isEqualTo(1f);
        assertThatThrownBy(() -> new Strokes(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Strokes(List.of(new float[] {1, Float.NaN}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Strokes(List.of(new float[] {1, 2e5f}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Strokes(List.of(new float[] {1}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Strokes(List.of(new float[Strokes.MAX_POINTS * 2 + 2])))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
