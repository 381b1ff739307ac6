package dev.stratus.training.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelStateTest {

    @Test
    void averages_values_and_moments_weighted_by_images() {
        ModelState a = new ModelState(new float[][] {{1, 2}, {10}}, new float[][] {{1, 1}, null},
                new float[][] {{4, 4}, null}, 100);
        ModelState b = new ModelState(new float[][] {{3, 6}, {20}}, new float[][] {{3, 5}, null},
                new float[][] {{8, 0}, null}, 100);

        ModelState mean = ModelState.average(List.of(a, b), new long[] {3, 1});

        assertThat(mean.values()[0]).containsExactly(1.5f, 3f);
        assertThat(mean.values()[1]).containsExactly(12.5f);
        assertThat(mean.means()[0]).containsExactly(1.5f, 2f);
        assertThat(mean.means()[1]).isNull();
        assertThat(mean.variances()[0]).containsExactly(5f, 3f);
        assertThat(mean.updates()).isEqualTo(100);
    }

    @Test
    void one_state_averages_to_itself() {
        ModelState a = new ModelState(new float[][] {{0.25f, -7}}, new float[][] {{0.5f, 0}},
                new float[][] {{1e-6f, 2}}, 42);

        ModelState mean = ModelState.average(List.of(a), new long[] {128});

        assertThat(mean.values()[0]).containsExactly(a.values()[0]);
        assertThat(mean.means()[0]).containsExactly(a.means()[0]);
        assertThat(mean.variances()[0]).containsExactly(a.variances()[0]);
        assertThat(mean.updates()).isEqualTo(42);
        assertThat(mean.bytes()).isEqualTo(4L * 6);
    }

    @Test
    void refuses_replicas_of_different_shapes() {
        ModelState a = new ModelState(new float[][] {{1, 2}}, new float[1][], new float[1][], 0);
        ModelState b = new ModelState(new float[][] {{1, 2, 3}}, new float[1][], new float[1][], 0);

        assertThatThrownBy(() -> ModelState.average(List.of(a, b), new long[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another shape");
    }

    @Test
    void settings_take_the_replica_count_from_a_local_master_and_demand_it_otherwise() {
        assertThat(new SparkSettings("local[3]", 0, 8, "1g", 0, java.util.Map.of()).workers()).isEqualTo(3);
        assertThat(new SparkSettings("local[2]", 5, 8, "1g", 0, java.util.Map.of()).workers()).isEqualTo(5);
        assertThat(new SparkSettings("spark://127.0.0.1:7077", 2, 8, "1g", 0, java.util.Map.of()).onThisMachine())
                .isTrue();
        assertThat(new SparkSettings("spark://spark-master:7077", 2, 8, "1g", 0, java.util.Map.of()).onThisMachine())
                .isFalse();
        assertThatThrownBy(() -> new SparkSettings("spark://spark-master:7077", 0, 8, "1g", 0, java.util.Map.of()))
                .hasMessageContaining("--workers");
        assertThatThrownBy(() -> new SparkSettings("local[2]", 2, 0, "1g", 0, java.util.Map.of()))
                .hasMessageContaining("local steps");
    }
}
