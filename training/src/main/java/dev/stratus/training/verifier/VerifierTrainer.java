package dev.stratus.training.verifier;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.progress.ProgressBar;
import dev.stratus.core.segment.PieceVerifier;
import dev.stratus.training.CnnTrainer;
import dev.stratus.training.Schedule;
import dev.stratus.training.TrainingData;
import dev.stratus.training.network.Architecture;
import dev.stratus.training.network.DjlNetwork;
import dev.stratus.training.network.OnnxExporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains {@link Architecture#VERIFIER} on lattice pieces with DJL on the CPU (Adam, cosine
 * schedule, softmax cross-entropy over the 11 classes) and exports it to ONNX. Repeatable from
 * the seed.
 */
final class VerifierTrainer {

    /** What training settles: epochs, batch size, Adam's base rate, the seed. */
    record Settings(int epochs, int batchSize, float learningRate, long seed) {
    }

    /** How well a verifier reads a set: 11-class accuracy, and "one digit or not" accuracy. */
    record Scores(double accuracy, double oneOrNotAccuracy, double notOneRecall, double oneRecall) {
    }

    private final Settings settings;
    private final PrintStream progress;

    VerifierTrainer(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** The trained network's ONNX bytes. */
    byte[] train(PieceSet pieces, String version) {
        Engine.getInstance().setRandomSeed((int) settings.seed());
        Architecture architecture = Architecture.VERIFIER;
        try (Model model = Model.newInstance(architecture.name())) {
            SequentialBlock network = DjlNetwork.build(architecture);
            model.setBlock(network);
            int batches = (pieces.count() + settings.batchSize() - 1) / settings.batchSize();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Schedule.COSINE.tracker(settings.learningRate(),
                                    settings.epochs() * batches))
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 1, Mnist.SIDE, Mnist.SIDE));
                int[] all = new int[pieces.count()];
                for (int i = 0; i < all.length; i++) {
                    all[i] = i;
                }
                for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                    int[] order = TrainingData.shuffle(all, new SplittableRandom(settings.seed() * 31 + epoch));
                    ProgressBar bar = new ProgressBar(String.format("epoch %d/%d", epoch, settings.epochs()),
                            order.length, progress);
                    double lossSum = 0;
                    long correct = 0;
                    long seen = 0;
                    long start = System.nanoTime();
                    for (int b = 0; b < batches; b++) {
                        int from = b * settings.batchSize();
                        int n = Math.min(settings.batchSize(), order.length - from);
                        float[] pixels = new float[n * Mnist.PIXELS];
                        float[] labels = new float[n];
                        for (int i = 0; i < n; i++) {
                            pieces.copyPixels(order[from + i], pixels, i * Mnist.PIXELS);
                            labels[i] = pieces.label(order[from + i]);
                        }
                        float[] stats = CnnTrainer.step(model, trainer, pixels, labels);
                        lossSum += stats[0] * n;
                        correct += (long) stats[1];
                        seen += n;
                        bar.update(seen, String.format("loss %.4f acc %.2f%%", lossSum / seen, 100.0 * correct / seen));
                    }
                    bar.finish(String.format("loss %.4f acc %.2f%% in %.1f s", lossSum / seen, 100.0 * correct / seen,
                            (System.nanoTime() - start) / 1e9));
                }
            }
            return OnnxExporter.export(architecture, network, version);
        }
    }

    /** The ONNX verifier's scores on {@code pieces}, run as the segmenter runs it. */
    static Scores score(byte[] onnx, PieceSet pieces) {
        List<DigitImage> images = new ArrayList<>(pieces.count());
        float[] pixels = pieces.allPixels();
        for (int i = 0; i < pieces.count(); i++) {
            images.add(new DigitImage(Arrays.copyOfRange(pixels, i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS)));
        }
        float[] p;
        try (PieceVerifier verifier = PieceVerifier.load(onnx, "trained verifier")) {
            p = verifier.probabilities(images);
        } catch (ModelLoadException e) {
            throw new IllegalStateException("the exporter wrote an unusable verifier: " + e.getMessage(), e);
        }
        int right = 0, oneOrNot = 0, not = 0, notRight = 0, one = 0, oneRight = 0;
        for (int i = 0; i < pieces.count(); i++) {
            int best = 0;
            for (int c = 1; c < PieceVerifier.CLASSES; c++) {
                if (p[i * PieceVerifier.CLASSES + c] > p[i * PieceVerifier.CLASSES + best]) {
                    best = c;
                }
            }
            int label = pieces.label(i);
            boolean saysNot = p[i * PieceVerifier.CLASSES + PieceVerifier.NOT_ONE_DIGIT] >= 0.5f;
            boolean isNot = label == PieceVerifier.NOT_ONE_DIGIT;
            right += best == label ? 1 : 0;
            oneOrNot += saysNot == isNot ? 1 : 0;
            if (isNot) {
                not++;
                notRight += saysNot ? 1 : 0;
            } else {
                one++;
                oneRight += saysNot ? 0 : 1;
            }
        }
        int n = Math.max(1, pieces.count());
        return new Scores((double) right / n, (double) oneOrNot / n, (double) notRight / Math.max(1, not),
                (double) oneRight / Math.max(1, one));
    }
}
