package dev.stratus.core.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.GreyImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class SkeletonsTest {

    @Test
    void a_thick_bar_thins_to_one_line_along_its_length() {
        float[] pixels = new float[28 * 28];
        for (int y = 4; y < 24; y++) {
            for (int x = 11; x < 17; x++) {
                pixels[y * 28 + x] = 1f;
            }
        }

        List<float[]> lines = Skeletons.of(new GreyImage(28, 28, pixels));

        assertThat(lines).hasSize(1);
        float[] line = lines.get(0);
        float top = Float.MAX_VALUE;
        float bottom = -Float.MAX_VALUE;
        for (int i = 0; i < line.length; i += 2) {
            assertThat(line[i]).isBetween(11f, 17f);
            top = Math.min(top, line[i + 1]);
            bottom = Math.max(bottom, line[i + 1]);
        }
        assertThat(bottom - top).isGreaterThan(12f);
    }

    @Test
    void a_ring_is_traced_as_one_closed_loop() {
        byte[] pixels = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double r = Math.hypot(x - 13.5, y - 13.5);
                if (r >= 6 && r <= 9) {
                    pixels[y * 28 + x] = (byte) 255;
                }
            }
        }

        List<float[]> lines = Skeletons.of(pixels, 0);

        assertThat(lines).hasSize(1);
        float[] loop = lines.get(0);
        assertThat(loop.length / 2).isGreaterThan(30);
        assertThat(loop[0]).isEqualTo(loop[loop.length - 2]);
        assertThat(loop[1]).isEqualTo(loop[loop.length - 1]);
        for (int i = 0; i < loop.length; i += 2) {
            assertThat(Math.hypot(loop[i] - 14, loop[i + 1] - 14)).isBetween(5.0, 10.0);
        }
    }

    @Test
    void an_empty_image_has_no_lines_and_other_sizes_are_refused() {
        assertThat(Skeletons.of(new byte[28 * 28], 0)).isEmpty();
        assertThatThrownBy(() -> Skeletons.of(new GreyImage(20, 20, new float[400])))
                .hasMessageContaining("28x28");
    }
}
