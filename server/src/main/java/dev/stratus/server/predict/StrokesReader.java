package dev.stratus.server.predict;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stratus.core.image.Strokes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@code "strokes": [[[x, y], ...], ...]} from a streaming parser, to its end whatever is
 * wrong with it (so that a body that is not JSON is always {@code malformed_json}), and says
 * the first thing wrong by its error code:
 * {@code empty_strokes} (no stroke, or a stroke with no point), {@code too_many_strokes} (more
 * than {@value Strokes#MAX_STROKES}), {@code too_many_points} (more than
 * {@value Strokes#MAX_POINTS} in all), {@code invalid_coordinate} (NaN, Infinity, or not a
 * number), {@code coordinate_out_of_range} (beyond +-1e5) and {@code invalid_strokes} (any other
 * shape: not an array of strokes, a point that is not two numbers).
 */
final class StrokesReader {
    /** The strokes, or the code and sentence of what is wrong with them. */
    record Read(Strokes strokes, String code, String problem) {
        void check() {
            if (code != null) {
                throw new BadInputException(code, problem);
            }
        }
    }

    private String code;
    private String problem;
    private int points;

    private StrokesReader() {
    }

    /** Reads the value at the parser's current token (the start of the strokes' array, one hopes). */
    static Read read(JsonParser parser) throws IOException {
        return new StrokesReader().strokes(parser);
    }

    private Read strokes(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return new Read(null, "invalid_strokes", "\"strokes\" must be an array of strokes, each an array of [x, y]");
        }
        List<float[]> strokes = new ArrayList<>();
        for (JsonToken token = next(parser); token != JsonToken.END_ARRAY; token = next(parser)) {
            if (token != JsonToken.START_ARRAY) {
                parser.skipChildren();
                fail("invalid_strokes", "stroke " + strokes.size() + " is not an array of [x, y] points");
                continue;
            }
            float[] stroke = stroke(parser, strokes.size());
            if (code == null) {
                strokes.add(stroke);
            }
            if (code == null && strokes.size() > Strokes.MAX_STROKES) {
                fail("too_many_strokes", "at most " + Strokes.MAX_STROKES + " strokes");
            }
        }
        if (code == null && strokes.isEmpty()) {
            fail("empty_strokes", "\"strokes\" holds no stroke: draw something first");
        }
        return code != null ? new Read(null, code, problem) : new Read(new Strokes(strokes), null, null);
    }

    /** One stroke's points, flattened; read to its end even once something is wrong. */
    private float[] stroke(JsonParser parser, int index) throws IOException {
        float[] xy = new float[16];
        int n = 0;
        for (JsonToken token = next(parser); token != JsonToken.END_ARRAY; token = next(parser)) {
            if (token != JsonToken.START_ARRAY) {
                parser.skipChildren();
                fail("invalid_strokes", "a point of stroke " + index + " is not an array [x, y]");
                continue;
            }
            float[] pair = new float[2];
            int count = 0;
            for (JsonToken t = next(parser); t != JsonToken.END_ARRAY; t = next(parser), count++) {
                float v = coordinate(parser, t);
                if (count < 2) {
                    pair[count] = v;
                }
            }
            if (count != 2) {
                fail("invalid_strokes", "a point of stroke " + index + " is two numbers [x, y], not " + count);
            }
            if (code != null) {
                continue;
            }
            if (++points > Strokes.MAX_POINTS) {
                fail("too_many_points", "at most " + Strokes.MAX_POINTS + " points in all strokes together");
                continue;
            }
            if (n + 2 > xy.length) {
                xy = Arrays.copyOf(xy, xy.length * 2);
            }
            xy[n++] = pair[0];
            xy[n++] = pair[1];
        }
        if (code == null && n == 0) {
            fail("empty_strokes", "stroke " + index + " has no point");
        }
        return Arrays.copyOf(xy, n);
    }

    /** A coordinate at {@code token}; 0 after recording what is wrong with it. */
    private float coordinate(JsonParser parser, JsonToken token) throws IOException {
        if (token.isStructStart()) {
            parser.skipChildren();
            fail("invalid_strokes", "a coordinate is a number, not " + (token == JsonToken.START_ARRAY ? "an array" : "an object"));
            return 0;
        }
        if (!token.isNumeric()) {
            fail("invalid_coordinate", "a coordinate is a finite number, not " + parser.getText());
            return 0;
        }
        double v = parser.getDoubleValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            fail("invalid_coordinate", "a coordinate is a finite number, not " + parser.getText());
            return 0;
        }
        if (Math.abs(v) > Strokes.MAX_COORDINATE) {
            fail("coordinate_out_of_range", "coordinates lie within +-" + (long) Strokes.MAX_COORDINATE + ", not " + v);
            return 0;
        }
        return (float) v;
    }

    private static JsonToken next(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new IOException("the body ends inside \"strokes\"");
        }
        return token;
    }

    private void fail(String failure, String sentence) {
        if (code == null) {
            code = failure;
            problem = sentence;
        }
    }
}
