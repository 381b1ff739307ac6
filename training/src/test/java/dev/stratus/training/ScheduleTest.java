package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void cosine_decays_from_the_base_rate_to_one_percent() {
        Tracker tracker = Schedule.COSINE.tracker(0.002f, 1000);

        assertThat(tracker.getNewValue(0)).isCloseTo(0.002f, within(1e-7f));
        assertThat(tracker.getNewValue(500)).isCloseTo(0.00101f, within(1e-6f));
        assertThat(tracker.getNewValue(1000)).isCloseTo(0.00002f, within(1e-7f));
    }

    @Test
    void step_and_constant_schedules() {
        Tracker step = Schedule.STEP.tracker(1f, 100);
        assertThat(step.getNewValue(10)).isEqualTo(1f);
        assertThat(step.getNewValue(60)).isEqualTo(0.3f);
        assertThat(step.getNewValue(90)).isCloseTo(0.09f, within(1e-6f));
        assertThat(Schedule.CONSTANT.tracker(0.5f, 10).getNewValue(9)).isEqualTo(0.5f);
    }
}
