package dev.stratus.core.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.stratus.core.image.Mnist;

/**
 * How far a model's probabilities are to be trusted: the temperature that calibrates them
 * (fitted on held-back MNIST by minimising the negative log-likelihood, so that a calibrated
 * 0.9 is right nine times in ten) and the calibrated confidence below which an answer is
 * {@link Verdict#UNSURE}. Stored in the model card; a card without one means {@link #NONE}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Calibration(double temperature, double abstainBelow, String fittedOn) {
    /**
     * The abstain threshold of a model that has none measured: chosen on the shipped model
     * (docs/benchmarks.md, "Drawn digits and verdicts").
     */
    public static final double DEFAULT_ABSTAIN = 0.90;
    /** No temperature (1.0) and the default threshold. */
    public static final Calibration NONE = new Calibration(1.0, DEFAULT_ABSTAIN, null);

    /** Temperatures searched by {@link #fitTemperature}. */
    static final double MIN_TEMPERATURE = 0.05;
    static final double MAX_TEMPERATURE = 20;
    private static final double FLOOR = 1e-30;

    public Calibration {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("a temperature is a positive number, got " + temperature);
        }
        if (!(abstainBelow >= 0 && abstainBelow <= 1)) {
            throw new IllegalArgumentException("the abstain threshold is a probability 0-1, got " + abstainBelow);
        }
    }

    /** The same calibration with another abstain threshold. */
    public Calibration withAbstainBelow(double threshold) {
        return new Calibration(temperature, threshold, fittedOn);
    }

    /**
     * The calibrated probabilities of one answer: softmax(log p / T). The network answers
     * probabilities, whose logarithms are its logits up to a constant that the softmax drops.
     */
    public float[] apply(float[] probabilities) {
        if (temperature == 1.0) {
            return probabilities;
        }
        return scaled(probabilities, 0, probabilities.length, temperature);
    }

    /** Unsure below the threshold, else one digit. */
    public Verdict judge(float calibratedConfidence) {
        return calibratedConfidence < abstainBelow ? Verdict.UNSURE : Verdict.DIGIT;
    }

    /**
     * The temperature that minimises the mean negative log-likelihood of {@code labels} under
     * {@code probabilities} ({@code n x 10}, row-major), by golden-section search on log T (the
     * likelihood is unimodal in T).
     */
    public static double fitTemperature(float[] probabilities, int[] labels) {
        if (probabilities.length != labels.length * Mnist.CLASSES || labels.length == 0) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * Mnist.CLASSES
                    + " probabilities, got " + probabilities.length);
        }
        double lo = Math.log(MIN_TEMPERATURE);
        double hi = Math.log(MAX_TEMPERATURE);
        double ratio = (Math.sqrt(5) - 1) / 2;
        double a = hi - ratio * (hi - lo);
        double b = lo + ratio * (hi - lo);
        double fa = negativeLogLikelihood(probabilities, labels, Math.exp(a));
        double fb = negativeLogLikelihood(probabilities, labels, Math.exp(b));
        for (int i = 0; i < 60; i++) {
            if (fa < fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - ratio * (hi - lo);
                fa = negativeLogLikelihood(probabilities, labels, Math.exp(a));
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + ratio * (hi - lo);
                fb = negativeLogLikelihood(probabilities, labels, Math.exp(b));
            }
        }
        return Math.exp((lo + hi) / 2);
    }

    /** The mean negative log-likelihood of the labels at temperature {@code t}. */
    public static double negativeLogLikelihood(float[] probabilities, int[] labels, double t) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] p = scaled(probabilities, i * Mnist.CLASSES, Mnist.CLASSES, t);
            sum -= Math.log(Math.max(FLOOR, p[labels[i]]));
        }
        return sum / labels.length;
    }

    /** softmax(log p / t) of the {@code n} values at {@code offset}. */
    private static float[] scaled(float[] probabilities, int offset, int n, double t) {
        double[] logits = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            logits[c] = Math.log(Math.max(FLOOR, probabilities[offset + c])) / t;
            max = Math.max(max, logits[c]);
        }
        double total = 0;
        for (int c = 0; c < n; c++) {
            logits[c] = Math.exp(logits[c] - max);
            total += logits[c];
        }
        float[] out = new float[n];
        for (int c = 0; c < n; c++) {
            out[c] = (float) (logits[c] / total);
        }
        return out;
    }
}
