package dev.stratus.core.verdict;

/**
 * What the gateway found before classifying, from the input as it came: too small, several
 * digits (with the number they read as), or nothing against it ({@link #NONE}), in which case
 * the calibrated confidence decides between {@link Verdict#DIGIT} and {@link Verdict#UNSURE}.
 */
public record Precheck(Verdict verdict, String number) {
    public static final Precheck NONE = new Precheck(null, null);
    public static final Precheck TOO_SMALL = new Precheck(Verdict.TOO_SMALL, null);

    public Precheck {
        if (verdict == Verdict.DIGIT || verdict == Verdict.UNSURE) {
            throw new IllegalArgumentException("the confidence decides " + verdict.json() + ", not the input");
        }
        if ((verdict == Verdict.SEVERAL) != (number != null)) {
            throw new IllegalArgumentException("a number goes with the verdict several, and only with it");
        }
    }

    public static Precheck several(String number) {
        return new Precheck(Verdict.SEVERAL, number);
    }

    /** The verdict of an answer whose calibrated top probability is {@code confidence}. */
    public Verdict decide(float confidence, Calibration calibration) {
        return verdict != null ? verdict : calibration.judge(confidence);
    }
}
