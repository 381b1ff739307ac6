package dev.stratus.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the soak judges outcomes: what a kill window excuses, and what makes an answer differ from its record. */
class SoakTallyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long S = 1_000_000_000L;
    private final List<KillWindow> kills = List.of(new KillWindow("worker-1", 42, 10 * S, 15 * S));

    private static SteadyLoad.Outcome outcome(long sent, long end, int status, String answer) throws Exception {
        return new SteadyLoad.Outcome(0, sent * S, end * S, status, answer == null ? null : JSON.readTree(answer),
                status == 200 ? null : "failed");
    }

    @Test
    void only_documented_failures_that_overlap_a_kill_window_are_excused() throws Exception {
        SoakTally tally = SoakTally.of(List.of(
                outcome(9, 14, 504, null),   // overlaps the kill
                outcome(19, 20, 0, null),    // ends within the grace after recovery
                outcome(12, 13, 500, null),  // in the window, but an undocumented status
                outcome(30, 31, 503, null),  // far from any kill
                outcome(1, 2, 200, "{\"id\":\"a\",\"digit\":7}")), kills, 5 * S, image -> 7);

        assertThat(tally.sent).isEqualTo(5);
        assertThat(tally.answered).isEqualTo(1);
        assertThat(tally.correct).isEqualTo(1);
        assertThat(tally.failedInWindows).isEqualTo(2);
        assertThat(tally.failedOutsideWindows).hasSize(2).anySatisfy(f -> assertThat(f).startsWith("HTTP 500"))
                .anySatisfy(f -> assertThat(f).startsWith("HTTP 503"));
        assertThat(tally.passed()).isFalse();
    }

    @Test
    void an_id_answered_twice_is_a_duplicate() throws Exception {
        SoakTally tally = SoakTally.of(List.of(outcome(1, 2, 200, "{\"id\":\"a\",\"digit\":1}"),
                outcome(2, 3, 200, "{\"id\":\"a\",\"digit\":1}")), kills, 0, image -> 1);
        assertThat(tally.duplicated).containsExactly("a answered to two requests");
    }

    @Test
    void an_answer_must_equal_its_record_but_its_timings_and_an_acknowledged_label() throws Exception {
        SoakTally tally = new SoakTally();
        JsonNode answer = JSON.readTree("{\"id\":\"a\",\"digit\":1,\"createdAt\":\"t1\",\"timings\":{\"totalMicros\":9}}");
        tally.check(answer, JSON.readTree("{\"id\":\"a\",\"digit\":1,\"createdAt\":\"t1\"}"), null);
        tally.check(answer, JSON.readTree("{\"id\":\"a\",\"digit\":1,\"createdAt\":\"t1\",\"label\":4,"
                + "\"labelledAt\":\"t2\"}"), 4);
        assertThat(tally.differ).isEmpty();
        assertThat(tally.labelsLost).isEmpty();

        tally.check(answer, JSON.readTree("{\"id\":\"a\",\"digit\":1,\"createdAt\":\"t0\"}"), null);
        tally.check(answer, JSON.readTree("{\"id\":\"a\",\"digit\":1,\"createdAt\":\"t1\"}"), 4);
        tally.check(answer, null, null);
        assertThat(tally.differ).hasSize(1);
        assertThat(tally.labelsLost).hasSize(1);
        assertThat(tally.lost).containsExactly("a");
        assertThat(tally.stored).isEqualTo(4);
    }
}
