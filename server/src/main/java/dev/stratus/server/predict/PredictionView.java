package dev.stratus.server.predict;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.stratus.server.store.PredictionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The JSON shape of a prediction, as answered by POST and GET (timings only on POST). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PredictionView(String id, int digit, float confidence, float[] probabilities, List<Ranked> top,
                             int[] input, String modelVersion, Instant createdAt, Integer label, Instant labelledAt,
                             Timings timings) {

    /** A digit and its probability, for the top three. */
    public record Ranked(int digit, float probability) {
    }

    /** Where the time went, in microseconds. */
    public record Timings(long preprocessMicros, long queueMicros, long inferenceMicros, int batchSize,
                          long totalMicros) {
    }

    public static PredictionView of(PredictionRecord record, Timings timings) {
        float[] p = record.probabilities();
        List<Ranked> ranked = new ArrayList<>(p.length);
        for (int d = 0; d < p.length; d++) {
            ranked.add(new Ranked(d, p[d]));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::probability).reversed());
        int[] input = new int[record.input().length];
        for (int i = 0; i < input.length; i++) {
            input[i] = record.input()[i] & 0xff;
        }
        return new PredictionView(record.id(), record.digit(), p[record.digit()], p, List.copyOf(ranked.subList(0, 3)), input,
                record.modelVersion(), record.createdAt(), record.label(), record.labelledAt(), timings);
    }
}
