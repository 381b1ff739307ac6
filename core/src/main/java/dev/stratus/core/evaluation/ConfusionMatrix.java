package dev.stratus.core.evaluation;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelCard;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counts of (true digit, predicted digit) pairs, and the accuracies they imply. Not thread-safe. */
public final class ConfusionMatrix {
    private final int[][] counts = new int[Mnist.CLASSES][Mnist.CLASSES];
    private final int[] misses = new int[Mnist.CLASSES];
    private int total;

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
        total++;
    }

    /** An image of digit {@code truth} that got no prediction at all (for example a blank one): wrong. */
    public void addMiss(int truth) {
        misses[truth]++;
        total++;
    }

    public int count() {
        return total;
    }

    public int get(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public double accuracy() {
        int correct = 0;
        for (int d = 0; d < Mnist.CLASSES; d++) {
            correct += counts[d][d];
        }
        return total == 0 ? 0 : (double) correct / total;
    }

    /** Accuracy per true digit; a digit absent from the data has none and is left out. */
    public Map<String, Double> perDigit() {
        Map<String, Double> result = new LinkedHashMap<>();
        for (int d = 0; d < Mnist.CLASSES; d++) {
            int n = misses[d];
            for (int p = 0; p < Mnist.CLASSES; p++) {
                n += counts[d][p];
            }
            if (n > 0) {
                result.put(Integer.toString(d), (double) counts[d][d] / n);
            }
        }
        return result;
    }

    public int[][] counts() {
        int[][] copy = new int[Mnist.CLASSES][];
        for (int d = 0; d < Mnist.CLASSES; d++) {
            copy[d] = counts[d].clone();
        }
        return copy;
    }

    public ModelCard.Evaluation toEvaluation(String dataset) {
        return new ModelCard.Evaluation(dataset, total, accuracy(), perDigit(), counts());
    }

    /** The matrix as aligned text: rows are the true digits, columns the predictions. */
    public String toText() {
        StringBuilder text = new StringBuilder("true\\pred");
        for (int p = 0; p < Mnist.CLASSES; p++) {
            text.append(String.format("%7d", p));
        }
        text.append('\n');
        for (int d = 0; d < Mnist.CLASSES; d++) {
            text.append(String.format("%9d", d));
            for (int p = 0; p < Mnist.CLASSES; p++) {
                text.append(String.format("%7d", counts[d][p]));
            }
            text.append('\n');
        }
        return text.toString();
    }
}
