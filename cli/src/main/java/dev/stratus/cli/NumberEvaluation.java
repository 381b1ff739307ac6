package dev.stratus.cli;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.GreyPng;
import dev.stratus.core.mnist.NumberSet;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.core.segment.Segmenter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads every number of a {@link NumberSet} with the one {@link Segmenter} and tallies what
 * {@code evaluate --numbers} reports. An image the segmenter refuses (blank, too long) counts as
 * wrong, with the wrong length.
 */
final class NumberEvaluation {
    static final int SLOWEST = 5;

    /** One image's outcome. */
    record Outcome(String file, String label, String read, double millis) {
    }

    /** The tallies. */
    record Result(int count, int right, int lengthRight, int digitsRight, int digitsInRightLength,
                  Map<Integer, int[]> byLength, List<Outcome> slowest, List<Outcome> wrong) {

        double accuracy() {
            return (double) right / count;
        }

        double lengthAccuracy() {
            return (double) lengthRight / count;
        }

        double digitAccuracy() {
            return digitsInRightLength == 0 ? 0 : (double) digitsRight / digitsInRightLength;
        }

        /** Exact accuracy per label length. */
        Map<Integer, Double> accuracyByLength() {
            Map<Integer, Double> accuracy = new LinkedHashMap<>();
            byLength.forEach((length, tally) -> accuracy.put(length, (double) tally[1] / tally[0]));
            return accuracy;
        }
    }

    private NumberEvaluation() {
    }

    static Result run(Segmenter segmenter, Path directory) throws IOException {
        List<NumberSet.Entry> entries = NumberSet.read(directory);
        List<Outcome> outcomes = new ArrayList<>(entries.size());
        for (NumberSet.Entry e : entries) {
            var image = GreyPng.read(directory.resolve(e.file()));
            long start = System.nanoTime();
            String read;
            try {
                read = segmenter.segment(image).text();
            } catch (BlankImageException | NumberTooLongException refused) {
                read = "";
            }
            outcomes.add(new Outcome(e.file(), e.label(), read, (System.nanoTime() - start) / 1e6));
        }
        return tally(outcomes);
    }

    static Result tally(List<Outcome> outcomes) {
        int right = 0, lengthRight = 0, digitsRight = 0, digitsInRightLength = 0;
        Map<Integer, int[]> byLength = new TreeMap<>();
        List<Outcome> wrong = new ArrayList<>();
        for (Outcome o : outcomes) {
            int[] tally = byLength.computeIfAbsent(o.label().length(), n -> new int[2]);
            tally[0]++;
            if (o.read().equals(o.label())) {
                right++;
                tally[1]++;
            } else {
                wrong.add(o);
            }
            if (o.read().length() == o.label().length()) {
                lengthRight++;
                digitsInRightLength += o.label().length();
                for (int i = 0; i < o.label().length(); i++) {
                    if (o.read().charAt(i) == o.label().charAt(i)) {
                        digitsRight++;
                    }
                }
            }
        }
        List<Outcome> slowest = outcomes.stream().sorted(Comparator.comparingDouble(Outcome::millis).reversed())
                .limit(SLOWEST).toList();
        return new Result(outcomes.size(), right, lengthRight, digitsRight, digitsInRightLength, byLength, slowest,
                wrong);
    }
}
