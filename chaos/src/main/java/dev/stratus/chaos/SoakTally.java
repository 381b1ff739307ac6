package dev.stratus.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a soak came to: every request's outcome judged against the kill windows, and every
 * answer against the record stored for it. The soak passes when nothing answered was lost,
 * duplicated or stored differently from its answer, every failure fell in a kill window, and
 * the only error statuses were the documented 503 and 504.
 */
final class SoakTally {
    /** Error statuses a client may see while a part is down: overloaded/unavailable, timed out. */
    static final Set<Integer> DOCUMENTED = Set.of(503, 504);

    int sent;
    int answered;
    int correct;
    final Map<Integer, Integer> byStatus = new TreeMap<>();
    int noAnswer;
    int failedInWindows;
    final List<String> failedOutsideWindows = new ArrayList<>();
    int stored;
    final List<String> lost = new ArrayList<>();
    final List<String> differ = new ArrayList<>();
    final List<String> duplicated = new ArrayList<>();
    int redelivered;
    int labels;
    final List<String> labelsLost = new ArrayList<>();

    /** Counts outcomes; a failure is excused only if it overlaps a kill window (plus {@code graceNanos}). */
    static SoakTally of(List<SteadyLoad.Outcome> outcomes, List<KillWindow> windows, long graceNanos,
                        java.util.function.IntUnaryOperator labelOf) {
        SoakTally tally = new SoakTally();
        Map<String, Integer> answersPerId = new HashMap<>();
        for (SteadyLoad.Outcome o : outcomes) {
            tally.sent++;
            if (o.status() == 0) {
                tally.noAnswer++;
            } else {
                tally.byStatus.merge(o.status(), 1, Integer::sum);
            }
            if (o.answered()) {
                tally.answered++;
                if (o.answer().path("digit").asInt(-1) == labelOf.applyAsInt(o.image())) {
                    tally.correct++;
                }
                String id = o.answer().path("id").asText();
                if (answersPerId.merge(id, 1, Integer::sum) == 2) {
                    tally.duplicated.add(id + " answered to two requests");
                }
                continue;
            }
            boolean excused = (o.status() == 0 || DOCUMENTED.contains(o.status()))
                    && windows.stream().anyMatch(w -> w.overlaps(o.sentNanos(), o.endNanos(), graceNanos));
            if (excused) {
                tally.failedInWindows++;
            } else {
                tally.failedOutsideWindows.add((o.status() == 0 ? "no answer" : "HTTP " + o.status()) + ": "
                        + o.failure());
            }
        }
        return tally;
    }

    /**
     * Judges one answer against its stored record as the API serves it ({@code null}: not
     * found). The answer's timings may differ; so may the label, which must then be the one
     * the app acknowledged ({@code label}, null if none was sent).
     */
    void check(JsonNode answer, JsonNode stored, Integer label) {
        String id = answer.path("id").asText();
        if (stored == null) {
            lost.add(id);
            return;
        }
        this.stored++;
        ObjectNode expected = ((ObjectNode) answer).deepCopy();
        expected.remove("timings");
        ObjectNode actual = ((ObjectNode) stored).deepCopy();
        if (label != null) {
            labels++;
            if (actual.path("label").asInt(-1) != label) {
                labelsLost.add(id + ": acknowledged label " + label + ", stored " + actual.path("label"));
            }
            actual.remove(List.of("label", "labelledAt"));
        }
        if (!expected.equals(actual)) {
            differ.add(id + ": answered " + brief(expected) + ", stored " + brief(actual));
        }
    }

    boolean passed() {
        return sent > 0 && answered > 0 && lost.isEmpty() && differ.isEmpty() && duplicated.isEmpty()
                && labelsLost.isEmpty() && failedOutsideWindows.isEmpty();
    }

    private static String brief(JsonNode prediction) {
        return "digit " + prediction.path("digit") + " at " + prediction.path("createdAt") + " by "
                + prediction.path("modelVersion");
    }
}
