package dev.stratus.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void accuracies_follow_from_the_counts() {
        ConfusionMatrix matrix = new ConfusionMatrix();
        matrix.add(7, 7);
        matrix.add(7, 1);
        matrix.add(1, 1);
        matrix.addMiss(1);

        assertThat(matrix.count()).isEqualTo(4);
        assertThat(matrix.accuracy()).isEqualTo(0.5);
        assertThat(matrix.perDigit()).containsOnlyKeys("1", "7").containsEntry("7", 0.5).containsEntry("1", 0.5);
        assertThat(matrix.get(7, 1)).isEqualTo(1);
        assertThat(matrix.toText()).contains("true\\pred");
    }

    @Test
    void an_empty_matrix_has_no_accuracy_to_report() {
        assertThat(new ConfusionMatrix().accuracy()).isZero();
        assertThat(new ConfusionMatrix().perDigit()).isEmpty();
    }
}
