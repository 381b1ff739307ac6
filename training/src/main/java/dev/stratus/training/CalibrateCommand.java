package dev.stratus.training;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.image.StrokeRenderer;
import dev.stratus.core.image.Strokes;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.mnist.Scribbles;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.segment.InkShape;
import dev.stratus.core.verdict.Calibration;
import dev.stratus.training.augment.Redrawing;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stratus calibrate}: fits a model's temperature on the training images it held back for
 * validation (the card's seed and split give the same images training set aside), then chooses
 * the abstain threshold on data: the highest calibrated confidence at which at most
 * {@code --max-abstain} of the MNIST test digits, and of the held-back digits redrawn as strokes,
 * are answered unsure, and says what share of
 * generated scribbles (which pass the too-small and several checks) stays below it. With
 * {@code --write}, both go into the model card.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fits the temperature of a model on its held-back validation images and chooses the",
                "abstain threshold on MNIST test digits against generated scribbles; --write stores both in the card."})
public final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "models/default", description = "Model directory. Default: ${DEFAULT-VALUE}.")
    Path model;

    @Option(names = "--data", required = true, description = "Directory of the four MNIST files.")
    Path data;

    @Option(names = "--max-abstain", defaultValue = "0.01", description = "Most MNIST test digits answered unsure. Default: ${DEFAULT-VALUE}.")
    double maxAbstain;

    @Option(names = "--scribbles", defaultValue = "2000", description = "Scribbles generated. Default: ${DEFAULT-VALUE}.")
    int scribbles;

    @Option(names = "--write", description = "Write the calibration into the model card.")
    boolean write;

    private final PrintStream console;

    CalibrateCommand(PrintStream console) {
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CalibrateCommand(System.out)).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        MnistFiles files = new MnistFiles(data);
        try (Model loaded = Model.load(model, OnnxClassifier.Threads.DEFAULT)) {
            ModelCard card = loaded.card();
            int[] heldBack = heldBack(card, files.train().count());
            Preprocessor preprocessor = new Preprocessor();
            LabeledImages train = files.train();
            TrainingData.Labelled validation = TrainingData.preprocess(train, heldBack, preprocessor);
            OnnxClassifier classifier = loaded.classifier();
            float[] raw = classifier.probabilities(validation.pixels(), heldBack.length);
            double t = Calibration.fitTemperature(raw, validation.labels());
            console.printf(Locale.ROOT, "held-back validation images: %d (seed %s, split %s)%n", heldBack.length,
                    card.hyperParameters().get("seed"), card.hyperParameters().get("validationSplit"));
            console.printf(Locale.ROOT, "temperature %.4f: NLL %.5f -> %.5f, ECE %.4f -> %.4f%n", t,
                    Calibration.negativeLogLikelihood(raw, validation.labels(), 1.0),
                    Calibration.negativeLogLikelihood(raw, validation.labels(), t),
                    expectedCalibrationError(raw, validation.labels(), 1.0),
                    expectedCalibrationError(raw, validation.labels(), t));
            Calibration fitted = new Calibration(t, Calibration.DEFAULT_ABSTAIN,
                    "MNIST training images held back for validation (" + heldBack.length + ")");

            LabeledImages test = files.test();
            TrainingData.Labelled testSet = TrainingData.preprocess(test, IntStream.range(0, test.count()).toArray(),
                    preprocessor);
            float[] positives = confidences(classifier, fitted, testSet.pixels(), test.count());
            float[] redrawn = confidences(classifier, fitted, redrawn(train, heldBack, preprocessor), heldBack.length);
            float[] negatives = scribbleConfidences(classifier, fitted, preprocessor);
            double threshold = Math.min(choose(positives), choose(redrawn));
            console.printf(Locale.ROOT, "%nthreshold  test digits unsure  held-back digits as strokes unsure"
                    + "  scribbles unsure (of %d that pass the checks)%n", negatives.length);
            for (double c : new double[] {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, threshold}) {
                console.printf(Locale.ROOT, "%9.4f  %18.2f %%  %33.2f %%  %16.2f %%%s%n", c, 100 * below(positives, c),
                        100 * below(redrawn, c), 100 * below(negatives, c), c == threshold ? "  <- chosen" : "");
            }
            Calibration chosen = fitted.withAbstainBelow(Math.round(threshold * 10_000) / 10_000.0);
            if (write) {
                card.withCalibration(chosen).write(model.resolve(ModelContract.CARD_FILE));
                console.println("written to " + model.resolve(ModelContract.CARD_FILE));
            }
            return 0;
        }
    }

    /** The images training held back: the first share of the card's seeded shuffle of the training set. */
    static int[] heldBack(ModelCard card, int trainCount) {
        Object seed = card.hyperParameters() == null ? null : card.hyperParameters().get("seed");
        Object split = card.hyperParameters() == null ? null : card.hyperParameters().get("validationSplit");
        if (!(seed instanceof Number s) || !(split instanceof Number v) || v.doubleValue() <= 0) {
            throw new IllegalArgumentException("the model card names no seed and validation split: nothing was held back");
        }
        int[] order = TrainingData.shuffle(IntStream.range(0, trainCount).toArray(),
                new SplittableRandom(s.longValue()));
        int[] held = Arrays.copyOfRange(order, 0, (int) Math.round(trainCount * v.doubleValue()));
        Arrays.sort(held);
        return held;
    }

    /**
     * The held-back images redrawn as the page's strokes path draws them ({@link Redrawing}, the
     * server's pen): the digits a person draws are strokes, and the threshold must not abstain on
     * more of them than of MNIST's own.
     */
    private static float[] redrawn(LabeledImages train, int[] indices, Preprocessor preprocessor) {
        Redrawing redrawing = new Redrawing(preprocessor);
        float[] pixels = new float[indices.length * Mnist.PIXELS];
        IntStream.range(0, indices.length).parallel().forEach(i -> System.arraycopy(
                preprocessor.apply(redrawing.apply(train.image(indices[i]), StrokeRenderer.PEN_RATIO)).pixels(), 0,
                pixels, i * Mnist.PIXELS, Mnist.PIXELS));
        return pixels;
    }

    /**
     * The highest threshold with at most {@code maxAbstain} of the positives below it (the
     * positives' {@code maxAbstain} quantile).
     */
    double choose(float[] positives) {
        float[] sorted = positives.clone();
        Arrays.sort(sorted);
        int k = (int) Math.floor(maxAbstain * sorted.length);
        return Math.min(0.9999, sorted[Math.min(k, sorted.length - 1)]);
    }

    private static float[] confidences(OnnxClassifier classifier, Calibration c, float[] pixels, int n) {
        float[] raw = classifier.probabilities(pixels, n);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float[] p = c.apply(Arrays.copyOfRange(raw, i * Mnist.CLASSES, (i + 1) * Mnist.CLASSES));
            float max = 0;
            for (float v : p) {
                max = Math.max(max, v);
            }
            out[i] = max;
        }
        return out;
    }

    /** Calibrated confidences of random scribbles drawn as strokes, those the too-small and several checks let through. */
    private float[] scribbleConfidences(OnnxClassifier classifier, Calibration c, Preprocessor preprocessor) {
        SplittableRandom random = new SplittableRandom(17);
        StrokeRenderer renderer = new StrokeRenderer();
        List<float[]> kept = new ArrayList<>();
        for (int i = 0; i < scribbles; i++) {
            Strokes strokes = Scribbles.random(random);
            var image = renderer.render(strokes);
            InkShape shape = InkShape.of(image);
            if (shape.maybeSeveral()) {
                continue;
            }
            kept.add(preprocessor.apply(image).pixels());
        }
        float[] pixels = new float[kept.size() * Mnist.PIXELS];
        for (int i = 0; i < kept.size(); i++) {
            System.arraycopy(kept.get(i), 0, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
        }
        return confidences(classifier, c, pixels, kept.size());
    }

    private static double below(float[] values, double threshold) {
        int n = 0;
        for (float v : values) {
            n += v < threshold ? 1 : 0;
        }
        return values.length == 0 ? 0 : n / (double) values.length;
    }

    /** The expected calibration error over 15 equal-width confidence bins. */
    static double expectedCalibrationError(float[] raw, int[] labels, double t) {
        Calibration c = new Calibration(t, 0.5, null);
        int bins = 15;
        double[] confidence = new double[bins];
        double[] correct = new double[bins];
        int[] count = new int[bins];
        for (int i = 0; i < labels.length; i++) {
            float[] p = c.apply(Arrays.copyOfRange(raw, i * Mnist.CLASSES, (i + 1) * Mnist.CLASSES));
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                best = p[k] > p[best] ? k : best;
            }
            int bin = Math.min(bins - 1, (int) (p[best] * bins));
            confidence[bin] += p[best];
            correct[bin] += best == labels[i] ? 1 : 0;
            count[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece += Math.abs(confidence[b] - correct[b]) / labels.length;
            }
        }
        return ece;
    }
}
