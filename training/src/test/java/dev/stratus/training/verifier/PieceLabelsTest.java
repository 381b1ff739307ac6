package dev.stratus.training.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.segment.Lattice;
import dev.stratus.core.segment.PieceVerifier;
import dev.stratus.core.segment.Segmenter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PieceLabelsTest {
    /** Of 100 touching numbers, at least this many have their right reading in the lattice (measured: see benchmarks.md). */
    private static final int REACHABLE_FLOOR = 90;
    private static LabeledImages digits;
    private final Preprocessor preprocessor = new Preprocessor();

    @BeforeAll
    static void read() throws IOException {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        digits = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS));
    }

    @Test
    void touching_numbers_can_be_read_through_windows_that_share_the_overlap() {
        NumberComposer composer = new NumberComposer(digits,
                new NumberComposer.Settings(2, 6, NumberComposer.Spacing.TOUCHING), 3);
        int reachable = 0;
        for (int n = 0; n < 100; n++) {
            NumberComposer.Composed number = composer.next();
            Lattice lattice = Lattice.withEveryCut(number.image(), Segmenter.DEFAULT_MAX_DIGITS, preprocessor);
            if (PieceLabels.reachable(number, lattice, PieceLabels.of(number, lattice))) {
                reachable++;
            }
        }
        // Partitions of the ink held the right reading for about 66 % of touching numbers.
        assertThat(reachable).isGreaterThanOrEqualTo(REACHABLE_FLOOR);
    }

    @Test
    void every_digit_of_a_gapped_number_has_a_piece_labelled_with_it() {
        NumberComposer composer = new NumberComposer(digits,
                new NumberComposer.Settings(4, 4, NumberComposer.Spacing.GAPPED), 4);
        NumberComposer.Composed number = composer.next();
        Lattice lattice = Lattice.withEveryCut(number.image(), Segmenter.DEFAULT_MAX_DIGITS, preprocessor);
        int[] labels = PieceLabels.of(number, lattice);

        assertThat(PieceLabels.reachable(number, lattice, labels)).isTrue();
        for (char digit : number.label().toCharArray()) {
            assertThat(labels).contains(digit - '0');
        }
        assertThat(labels).contains(PieceVerifier.NOT_ONE_DIGIT);
    }
}
