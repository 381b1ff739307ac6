package dev.stratus.training.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RedrawingTest {
    final Preprocessor preprocessor = new Preprocessor();
    final Redrawing redrawing = new Redrawing(preprocessor);

    @Test
    void a_thin_and_a_bold_one_are_redrawn_with_the_same_pen() {
        GreyImage thin = bar(2);
        GreyImage bold = bar(7);
        assertThat(mass(preprocessor.apply(bold).pixels()) / mass(preprocessor.apply(thin).pixels()))
                .isGreaterThan(1.5);

        double ratio = mass(redrawing.apply(bold, 0.12f).pixels()) / mass(redrawing.apply(thin, 0.12f).pixels());

        assertThat(ratio).isBetween(0.85, 1.15);
    }

    @Test
    void the_result_is_a_preprocessed_digit_and_a_wider_pen_gives_more_ink() {
        GreyImage narrow = redrawing.apply(bar(3), Redrawing.MIN_PEN);
        GreyImage wide = redrawing.apply(bar(3), Redrawing.MAX_PEN);

        assertThat(narrow.width()).isEqualTo(28);
        assertThat(narrow.height()).isEqualTo(28);
        for (float v : wide.pixels()) {
            assertThat(v).isBetween(0f, 1f);
        }
        assertThat(mass(wide.pixels())).isGreaterThan(mass(narrow.pixels()) * 1.2);
        assertThat(redrawing.apply(bar(3), new SplittableRandom(4)))
                .isEqualTo(redrawing.apply(bar(3), new SplittableRandom(4)));
    }

    @Test
    void drawn_smaller_for_speed_it_is_the_digit_the_server_would_draw() {
        GreyImage seven = seven();
        java.util.List<float[]> lines = dev.stratus.core.mnist.Skeletons.of(seven);
        float[] server = preprocessor.apply(new dev.stratus.core.image.StrokeRenderer()
                .render(new dev.stratus.core.image.Strokes(lines), 0.12f)).pixels();

        float[] redrawn = redrawing.apply(seven, 0.12f).pixels();

        double worst = 0;
        double sum = 0;
        for (int i = 0; i < server.length; i++) {
            worst = Math.max(worst, Math.abs(server[i] - redrawn[i]));
            sum += Math.abs(server[i] - redrawn[i]);
        }
        assertThat(sum / mass(server)).isLessThan(0.05);
        assertThat(worst).isLessThan(0.2);
    }

    @Test
    void an_image_without_a_skeleton_comes_back_as_it_was() {
        GreyImage faint = new GreyImage(28, 28, new float[28 * 28]);
        faint.pixels()[400] = 0.3f;

        assertThat(redrawing.apply(faint, 0.12f)).isSameAs(faint);
    }

    /** A 7: a bar and a slanted stem, 3 px wide. */
    private static GreyImage seven() {
        float[] pixels = new float[28 * 28];
        for (int y = 5; y < 8; y++) {
            for (int x = 7; x < 21; x++) {
                pixels[y * 28 + x] = 1f;
            }
        }
        for (int y = 8; y < 24; y++) {
            int x0 = 19 - (y - 8) / 2;
            for (int x = x0; x < x0 + 3; x++) {
                pixels[y * 28 + x] = 1f;
            }
        }
        return new GreyImage(28, 28, pixels);
    }

    /** A vertical bar, 18 px tall, {@code width} px wide: a 1 as a thin or a bold pen writes it. */
    private static GreyImage bar(int width) {
        float[] pixels = new float[28 * 28];
        int left = 14 - width / 2;
        for (int y = 5; y < 23; y++) {
            for (int x = left; x < left + width; x++) {
                pixels[y * 28 + x] = 1f;
            }
        }
        return new GreyImage(28, 28, pixels);
    }

    private static double mass(float[] pixels) {
        double sum = 0;
        for (float v : pixels) {
            sum += v;
        }
        return sum;
    }
}
