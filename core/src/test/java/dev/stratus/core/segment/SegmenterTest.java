package dev.stratus.core.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.model.OnnxClassifier;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SegmenterTest {
    private static Model model;
    private static Segmenter segmenter;

    @BeforeAll
    static void load() throws ModelLoadException {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        segmenter = new Segmenter(model.classifier());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void a_five_with_a_detached_bar_stays_one_digit() {
        GreyImage image = new Drawing(80, 80).fiveWithLooseBar(20, 8, 12).image(false);
        assertThat(components(image)).as("the bar is a component of its own").isEqualTo(2);

        SegmentedNumber number = segmenter.segment(image);

        assertThat(number.digits()).as(describe(number)).hasSize(1);
        assertThat(number.text()).isEqualTo("5");
    }

    @Test
    void two_touching_zeros_become_two_digits() {
        GreyImage image = new Drawing(110, 80).zero(10, 8).zero(44, 8).image(true);
        assertThat(components(image)).as("the zeros touch").isEqualTo(1);

        SegmentedNumber number = segmenter.segment(image);

        assertThat(number.text()).as(describe(number)).isEqualTo("00");
        Box left = number.digits().get(0).box();
        Box right = number.digits().get(1).box();
        assertThat(left.x()).isLessThan(right.x());
        assertThat(left.right()).isLessThan(right.x() + 8);
    }

    @Test
    void a_one_next_to_a_seven_are_two_digits() {
        GreyImage image = new Drawing(100, 80).one(12, 8).seven(34, 8).image(false);

        SegmentedNumber number = segmenter.segment(image);

        assertThat(number.text()).isEqualTo("17");
        assertThat(number.confidence()).isBetween(0.0, 1.0);
    }

    @Test
    void boxes_are_in_the_inputs_pixels_and_each_digit_keeps_what_the_model_saw() {
        GreyImage image = new Drawing(100, 80).one(12, 8).seven(34, 8).image(true);

        SegmentedNumber number = segmenter.segment(image);

        Box one = number.digits().get(0).box();
        assertThat(one.x()).isBetween(10, 16);
        assertThat(one.y()).isBetween(8, 12);
        assertThat(one.height()).isBetween(55, 64);
        assertThat(number.digits().get(0).input().pixels()).hasSize(784);
        assertThat(number.digits().get(0).prediction().probabilities()).hasSize(10);
    }

    @Test
    void noise_specks_are_not_digits() {
        Drawing drawing = new Drawing(120, 80).one(12, 8).seven(34, 8);
        drawing.line(100, 70, 100, 70).line(90, 10, 90, 10);

        assertThat(segmenter.segment(drawing.image(false)).text()).isEqualTo("17");
    }

    private static String describe(SegmentedNumber number) {
        return number.digits().stream().map(d -> d.digit() + " at " + d.box() + " p=" + d.prediction().confidence())
                .toList().toString();
    }

    /** The 8-connected components of an image's ink, as the segmenter sees them. */
    private static int components(GreyImage image) {
        float[] ink = dev.stratus.core.image.Preprocessor.inkOnBlack(image);
        boolean[] mask = new boolean[ink.length];
        for (int i = 0; i < ink.length; i++) {
            mask[i] = ink[i] >= 0.2f;
        }
        return InkComponents.of(mask, image.width()).components().size();
    }

    @Test
    void a_blank_image_is_an_error() {
        assertThatThrownBy(() -> segmenter.segment(new GreyImage(200, 80, new float[200 * 80])))
                .isInstanceOf(BlankImageException.class)
                .hasMessageContaining("no ink");
    }

    @Test
    void an_image_of_noise_only_is_an_error() {
        float[] pixels = new float[200 * 80];
        Random random = new Random(7);
        for (int i = 0; i < 30; i++) {
            pixels[random.nextInt(pixels.length)] = 1f;
        }

        assertThatThrownBy(() -> segmenter.segment(new GreyImage(200, 80, pixels)))
                .isInstanceOf(BlankImageException.class)
                .hasMessageContaining("noise");
    }

    @Test
    void a_number_longer_than_the_maximum_is_rejected_before_it_is_classified() {
        Drawing drawing = new Drawing(20 + 40 * 17, 80);
        for (int i = 0; i < 17; i++) {
            drawing.one(10 + 40 * i, 8);
        }
        GreyImage image = drawing.image(false);

        assertThatThrownBy(() -> segmenter.segment(image))
                .isInstanceOf(NumberTooLongException.class)
                .hasMessageContaining("at most 16");
        assertThat(new Segmenter(model.classifier(), 17).segment(image).text()).isEqualTo("1".repeat(17));
    }

    @Test
    void the_maximum_is_configurable() {
        GreyImage image = new Drawing(100, 80).one(12, 8).seven(34, 8).image(false);

        assertThatThrownBy(() -> new Segmenter(model.classifier(), 1).segment(image))
                .isInstanceOf(NumberTooLongException.class)
                .hasMessageContaining("at most 1");
    }
}
