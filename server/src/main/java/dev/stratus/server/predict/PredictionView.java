package dev.stratus.server.predict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import dev.stratus.core.verdict.Calibration;
import dev.stratus.core.verdict.Verdict;
import dev.stratus.server.store.PredictionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The JSON shape of a prediction, as answered by POST and GET (timings only on POST):
 * {@code confidence} and {@code probabilities} are calibrated, {@code verdict} says whether
 * the digit is to be trusted, {@code number} (several digits only) what they read as.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PredictionView(String id, int digit, Verdict verdict, String number, float confidence,
                             float[] probabilities, List<Ranked> top,
                             @JsonSerialize(using = UnsignedBytes.class) byte[] input, String modelVersion, Instant createdAt, Integer label, Instant labelledAt,
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
        // A record stored before verdicts existed is judged by its confidence alone.
        Verdict verdict = record.verdict() != null ? record.verdict() : Calibration.NONE.judge(p[record.digit()]);
        return new PredictionView(record.id(), record.digit(), verdict, record.number(), p[record.digit()], p, top(p),
                record.input(), record.modelVersion(), record.createdAt(), record.label(), record.labelledAt(), timings);
    }

    /** The three most probable digits, most probable first (a number's digits show the same). */
    static List<Ranked> top(float[] p) {
        List<Ranked> ranked = new ArrayList<>(p.length);
        for (int d = 0; d < p.length; d++) {
            ranked.add(new Ranked(d, p[d]));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::probability).reversed());
        return List.copyOf(ranked.subList(0, 3));
    }

    /**
     * The 28x28 input as JSON numbers 0-255, written straight from the stored bytes (Jackson
     * would write a byte[] as base64, and a copy into an int[] costs 3 KB a request).
     */
    static final class UnsignedBytes extends StdSerializer<byte[]> {
        UnsignedBytes() {
            super(byte[].class);
        }

        @Override
        public void serialize(byte[] bytes, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeStartArray(bytes, bytes.length);
            for (byte b : bytes) {
                json.writeNumber(b & 0xff);
            }
            json.writeEndArray();
        }
    }
}
