package dev.stratus.training.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AugmenterTest {
    static GreyImage seven;
    final Preprocessor preprocessor = new Preprocessor();

    @BeforeAll
    static void read() throws IOException {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        seven = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS)).image(0);
    }

    @Test
    void the_same_random_stream_gives_the_same_digit() {
        Augmenter augmenter = new Augmenter(Augmentation.DRAWN_DIGITS, preprocessor, 1);

        DigitImage a = augmenter.apply(seven, new SplittableRandom(5));
        DigitImage b = augmenter.apply(seven, new SplittableRandom(5));

        assertThat(a).isEqualTo(b);
    }

    @Test
    void distorts_the_digit_and_keeps_it_preprocessed() {
        Augmenter augmenter = new Augmenter(Augmentation.DRAWN_DIGITS, preprocessor, 1);
        DigitImage plain = preprocessor.apply(seven);
        SplittableRandom random = new SplittableRandom(9);

        int changed = 0;
        for (int i = 0; i < 50; i++) {
            DigitImage variant = augmenter.apply(seven, random);
            float max = 0;
            double mass = 0;
            for (float v : variant.pixels()) {
                max = Math.max(max, v);
                mass += v;
            }
            assertThat(max).isGreaterThan(0.9f);
            assertThat(mass).isGreaterThan(20);
            if (!variant.equals(plain)) {
                changed++;
            }
        }
        assertThat(changed).isBetween(25, 50);
    }

    @Test
    void no_augmentation_is_plain_preprocessing() {
        Augmenter augmenter = new Augmenter(Augmentation.NONE, preprocessor, 1);

        assertThat(augmenter.apply(seven, new SplittableRandom(1))).isEqualTo(preprocessor.apply(seven));
    }

    @Test
    void redrawing_alone_gives_the_digit_as_the_strokes_path_draws_it() {
        Augmentation redrawOnly = Augmentation.NONE.withRedraw(1);
        Augmenter augmenter = new Augmenter(redrawOnly, preprocessor, 1);
        Redrawing redrawing = new Redrawing(preprocessor);

        DigitImage variant = augmenter.apply(seven, new SplittableRandom(2));

        SplittableRandom same = new SplittableRandom(2);
        same.nextDouble();
        assertThat(variant).isEqualTo(preprocessor.apply(redrawing.apply(seven, same)));
        assertThat(variant).isNotEqualTo(preprocessor.apply(seven));
        assertThat(redrawOnly.enabled()).isTrue();
    }

    @Test
    void rejects_impossible_settings() {
        assertThatThrownBy(() -> new Augmentation(1.5, 15, 0.3, 0.2, 1, 4, 0.2, 0.1, 0.1, 1, 0))
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new Augmentation(1, 15, 0.3, 0.2, 1, 4, 0.7, 0.5, 0.1, 1, 0))
                .hasMessageContaining("more than 1");
        assertThatThrownBy(() -> Augmentation.NONE.withRedraw(-0.1)).hasMessageContaining("[0, 1]");
    }
}
