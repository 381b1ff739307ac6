package dev.stratus.training.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.Preprocessor;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutliersTest {
    final Outliers outliers = new Outliers(new Preprocessor());

    @Test
    void each_outlier_is_a_preprocessed_image_with_ink() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            float[] pixels = outliers.next(random);
            assertThat(pixels).hasSize(784);
            double mass = 0;
            for (float v : pixels) {
                assertThat(v).isBetween(0f, 1f);
                mass += v;
            }
            assertThat(mass).isGreaterThan(10);
        }
    }

    @Test
    void the_same_seed_gives_the_same_outliers_and_they_differ_from_one_another() {
        SplittableRandom a = new SplittableRandom(8);
        SplittableRandom b = new SplittableRandom(8);
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            float[] x = outliers.next(a);
            assertThat(outliers.next(b)).isEqualTo(x);
            distinct.add(java.util.Arrays.hashCode(x));
        }
        assertThat(distinct).hasSize(20);
    }
}
