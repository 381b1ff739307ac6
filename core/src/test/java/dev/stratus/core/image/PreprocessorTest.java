package dev.stratus.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.stratus.core.TestData;
import dev.stratus.core.mnist.LabeledImages;
import org.junit.jupiter.api.Test;

class PreprocessorTest {
    private final Preprocessor preprocessor = new Preprocessor();

    @Test
    void fits_a_tall_stroke_into_a_20_pixel_box_centred_by_mass() {
        // A 10x60 bar in the top-left corner of a 200x150 canvas.
        GreyImage image = canvas(200, 150, (x, y) -> x >= 5 && x < 15 && y >= 3 && y < 63 ? 1f : 0f);

        DigitImage digit = preprocessor.apply(image);

        Box box = Box.of(digit);
        assertThat(box.height()).isEqualTo(20);
        assertThat(box.width()).isBetween(3, 4);
        assertThat(centreOfMassX(digit)).isCloseTo(13.5, within(0.75));
        assertThat(centreOfMassY(digit)).isCloseTo(13.5, within(0.75));
        assertThat(max(digit)).isEqualTo(1f);
    }

    @Test
    void a_shifted_and_scaled_copy_gives_the_same_digit() {
        LabeledImages mnist = TestData.mnistTest();
        GreyImage seven = mnist.image(0);
        // The same digit three times larger, somewhere else on a bigger canvas.
        GreyImage moved = canvas(150, 120, (x, y) -> {
            int sx = (x - 50) / 3;
            int sy = (y - 20) / 3;
            return x >= 50 && y >= 20 && sx < 28 && sy < 28 ? seven.at(sx, sy) : 0f;
        });

        DigitImage original = preprocessor.apply(seven);
        DigitImage fromMoved = preprocessor.apply(moved);

        assertThat(Box.of(fromMoved)).isEqualTo(Box.of(original));
        assertThat(meanAbsoluteDifference(original, fromMoved)).isLessThan(0.05);
    }

    @Test
    void mnist_digits_come_back_nearly_unchanged() {
        LabeledImages mnist = TestData.mnistTest();
        for (int i = 0; i < 100; i++) {
            GreyImage image = mnist.image(i);
            DigitImage digit = preprocessor.apply(image);

            assertThat(Math.max(Box.of(digit).width(), Box.of(digit).height())).isBetween(19, 21);
            assertThat(centreOfMassX(digit)).isCloseTo(13.5, within(1.0));
            assertThat(centreOfMassY(digit)).isCloseTo(13.5, within(1.0));
        }
    }

    @Test
    void dark_ink_on_light_paper_is_inverted() {
        GreyImage seven = TestData.mnistTest().image(0);
        float[] inverted = new float[seven.pixels().length];
        for (int i = 0; i < inverted.length; i++) {
            inverted[i] = 1f - seven.pixels()[i];
        }

        DigitImage fromInverted = preprocessor.apply(new GreyImage(28, 28, inverted));

        assertThat(meanAbsoluteDifference(fromInverted, preprocessor.apply(seven))).isLessThan(1e-5);
    }

    @Test
    void a_grey_background_is_removed() {
        GreyImage image = canvas(60, 60, (x, y) -> x >= 20 && x < 40 && y >= 25 && y < 30 ? 0.9f : 0.3f);

        DigitImage digit = preprocessor.apply(image);

        assertThat(digit.pixels()[0]).isZero();
        assertThat(Box.of(digit).width()).isEqualTo(20);
        assertThat(Box.of(digit).height()).isEqualTo(5);
    }

    @Test
    void a_blank_image_is_an_error_not_a_guess() {
        assertThatThrownBy(() -> preprocessor.apply(canvas(280, 280, (x, y) -> 0f)))
                .isInstanceOf(BlankImageException.class)
                .hasMessageContaining("no ink");
        assertThatThrownBy(() -> preprocessor.apply(canvas(50, 50, (x, y) -> 1f)))
                .isInstanceOf(BlankImageException.class);
    }

    @Test
    void a_single_dot_becomes_a_centred_square() {
        GreyImage dot = canvas(100, 100, (x, y) -> x == 70 && y == 10 ? 1f : 0f);

        DigitImage digit = preprocessor.apply(dot);

        assertThat(Box.of(digit)).isEqualTo(new Box(4, 4, 23, 23));
    }

    @Test
    void rejects_images_with_values_outside_the_unit_range() {
        assertThatThrownBy(() -> new GreyImage(2, 2, new float[] {0, 0.5f, 1.5f, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pixel 2 is 1.5");
        assertThatThrownBy(() -> GreyImage.fromIntensities(28, 28, new double[783]))
                .hasMessageContaining("expected 784 values");
        double[] withNaN = new double[784];
        withNaN[10] = Double.NaN;
        assertThatThrownBy(() -> GreyImage.fromIntensities(28, 28, withNaN))
                .hasMessageContaining("value 10 is NaN");
    }

    interface Painter {
        float at(int x, int y);
    }

    static GreyImage canvas(int width, int height, Painter painter) {
        float[] pixels = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = painter.at(x, y);
            }
        }
        return new GreyImage(width, height, pixels);
    }

    /** Bounding box of the pixels brighter than 0.2, inclusive. */
    record Box(int x0, int y0, int x1, int y1) {
        static Box of(DigitImage digit) {
            int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    if (digit.pixels()[y * 28 + x] > 0.2f) {
                        x0 = Math.min(x0, x);
                        x1 = Math.max(x1, x);
                        y0 = Math.min(y0, y);
                        y1 = Math.max(y1, y);
                    }
                }
            }
            return new Box(x0, y0, x1, y1);
        }

        int width() {
            return x1 - x0 + 1;
        }

        int height() {
            return y1 - y0 + 1;
        }
    }

    static double centreOfMassX(DigitImage digit) {
        double m = 0, s = 0;
        for (int i = 0; i < 784; i++) {
            m += digit.pixels()[i];
            s += digit.pixels()[i] * (i % 28);
        }
        return s / m;
    }

    static double centreOfMassY(DigitImage digit) {
        double m = 0, s = 0;
        for (int i = 0; i < 784; i++) {
            m += digit.pixels()[i];
            s += digit.pixels()[i] * (i / 28);
        }
        return s / m;
    }

    static float max(DigitImage digit) {
        float m = 0;
        for (float v : digit.pixels()) {
            m = Math.max(m, v);
        }
        return m;
    }

    static double meanAbsoluteDifference(DigitImage a, DigitImage b) {
        double s = 0;
        for (int i = 0; i < 784; i++) {
            s += Math.abs(a.pixels()[i] - b.pixels()[i]);
        }
        return s / 784;
    }
}
