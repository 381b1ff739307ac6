package dev.stratus.core.verdict;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What an answer is worth: one digit read with confidence, an unsure reading, several separate
 * digits, or too little ink to read. Carried beside the digit in every answer (issue 17).
 */
public enum Verdict {
    DIGIT("digit"),
    UNSURE("unsure"),
    SEVERAL("several"),
    TOO_SMALL("too_small");

    private final String json;

    Verdict(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }

    /** The verdict its JSON name names; {@link IllegalArgumentException} for any other. */
    @JsonCreator
    public static Verdict of(String json) {
        for (Verdict v : values()) {
            if (v.json.equals(json)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict '" + json + "'");
    }
}
