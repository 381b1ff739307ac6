package dev.stratus.server.predict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.stratus.core.segment.Box;
import dev.stratus.server.store.NumberDigit;
import dev.stratus.server.store.NumberRecord;
import java.time.Instant;
import java.util.List;

/** The JSON shape of a number, as answered by POST and GET (timings only on POST). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NumberView(String id, String number, double confidence, List<Digit> digits, String modelVersion,
                         Instant createdAt, String label, Instant labelledAt, Timings timings) {

    /** One digit: what the model answered, where it lies in the input image, and the 28x28 image it saw. */
    public record Digit(int digit, float confidence, float[] probabilities, List<PredictionView.Ranked> top, Box box,
                        @JsonSerialize(using = PredictionView.UnsignedBytes.class) byte[] input) {
        static Digit of(NumberDigit d) {
            return new Digit(d.digit(), d.confidence(), d.probabilities(), PredictionView.top(d.probabilities()), d.box(),
                    d.input());
        }
    }

    /**
     * Where the time went, in microseconds: waiting for the inference thread, segmenting and
     * classifying the pieces, and the whole request from the decoded image to the answer.
     */
    public record Timings(long queueMicros, long inferenceMicros, long totalMicros) {
    }

    public static NumberView of(NumberRecord record, Timings timings) {
        return new NumberView(record.id(), record.number(), record.confidence(),
                record.digits().stream().map(Digit::of).toList(), record.modelVersion(), record.createdAt(),
                record.label(), record.labelledAt(), timings);
    }
}
