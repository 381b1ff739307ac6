package dev.stratus.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.progress.ProgressBar;
import dev.stratus.training.augment.Augmenter;
import dev.stratus.training.augment.Outliers;
import dev.stratus.training.network.Architecture;
import dev.stratus.training.network.DjlNetwork;
import dev.stratus.training.network.OnnxExporter;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains an architecture on MNIST with DJL and PyTorch on the CPU: Adam, softmax cross-entropy,
 * a learning-rate schedule, augmented batches made on a second thread while the network trains.
 * Repeatable: shuffling, augmentation and initialisation all derive from the seed.
 */
public final class CnnTrainer {
    private static final int PREFETCH = 4;

    private final TrainingOptions options;
    private final PrintStream progress;

    public CnnTrainer(TrainingOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    /** A batch ready for the network: its first {@code digits} rows digits, the rest outliers (label -1). */
    private record Batch(float[] pixels, float[] labels, int digits) {

        int size() {
            return labels.length;
        }
    }

    public TrainingRun train(TrainingData data) {
        Engine.getInstance().setRandomSeed((int) options.seed());
        Model model = Model.newInstance(options.architecture().name());
        SequentialBlock network = DjlNetwork.build(options.architecture());
        model.setBlock(network);
        int[] indices = data.trainIndices();
        int batchesPerEpoch = (indices.length + options.batchSize() - 1) / options.batchSize();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam()
                        .optLearningRateTracker(options.schedule().tracker(options.learningRate(),
                                options.epochs() * batchesPerEpoch))
                        .build());
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape(1, 1, Mnist.SIDE, Mnist.SIDE));

        Augmenter augmenter = options.augmentation().enabled()
                ? new Augmenter(options.augmentation(), new Preprocessor(), options.seed()) : null;
        Outliers outliers = options.outliers() > 0 ? new Outliers(new Preprocessor()) : null;
        List<ModelCard.Epoch> epochs = new ArrayList<>();
        List<ModelCard.Checkpoint> checkpoints = new ArrayList<>();
        Double secondsToReference = null;
        long trainingNanos = 0;
        long imagesSeen = 0;
        long nextCheckpoint = options.checkpointEvery();
        ExecutorService prefetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "batch-prefetch");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                int[] order = TrainingData.shuffle(indices, new SplittableRandom(options.seed() * 31 + epoch));
                int epochNumber = epoch;
                Deque<Future<Batch>> queue = new ArrayDeque<>();
                int submitted = 0;
                ProgressBar bar = new ProgressBar(String.format("epoch %2d/%d", epoch, options.epochs()),
                        indices.length, progress);
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                long digitsSeen = 0;
                long epochStart = System.nanoTime();
                long epochTrainingNanos = 0;
                for (int b = 0; b < batchesPerEpoch; b++) {
                    while (submitted < batchesPerEpoch && queue.size() < PREFETCH) {
                        int batchIndex = submitted++;
                        queue.add(prefetcher.submit(() -> makeBatch(data, order, batchIndex, epochNumber, augmenter, outliers)));
                    }
                    long stepStart = System.nanoTime();
                    Batch batch = await(queue.poll());
                    float[] stats = step(model, trainer, batch.pixels(), batch.labels());
                    long stepNanos = System.nanoTime() - stepStart;
                    trainingNanos += stepNanos;
                    epochTrainingNanos += stepNanos;
                    lossSum += stats[0] * batch.size();
                    correct += (long) stats[1];
                    seen += batch.size();
                    digitsSeen += batch.digits();
                    imagesSeen += batch.digits();
                    bar.update(digitsSeen, String.format("loss %.4f acc %.2f%% %5.0f img/s", lossSum / seen,
                            100.0 * correct / digitsSeen, seen / (epochTrainingNanos / 1e9)));

                    if (secondsToReference == null && nextCheckpoint > 0 && imagesSeen >= nextCheckpoint) {
                        double accuracy = onnxAccuracy(options.architecture(), network, data.test());
                        checkpoints.add(new ModelCard.Checkpoint(trainingNanos / 1e9, imagesSeen, accuracy));
                        if (accuracy >= TrainingOptions.REFERENCE_ACCURACY) {
                            secondsToReference = trainingNanos / 1e9;
                        }
                        nextCheckpoint += options.checkpointEvery();
                    }
                }
                bar.finish(String.format("loss %.4f acc %.2f%%", lossSum / seen, 100.0 * correct / digitsSeen));
                double epochSeconds = (System.nanoTime() - epochStart) / 1e9;

                Double validationLoss = null;
                Double validationAccuracy = null;
                if (data.validation().count() > 0) {
                    double[] v = lossAndAccuracy(trainer, model, data.validation());
                    validationLoss = v[0];
                    validationAccuracy = v[1];
                }
                double testAccuracy = onnxAccuracy(options.architecture(), network, data.test());
                checkpoints.add(new ModelCard.Checkpoint(trainingNanos / 1e9, imagesSeen, testAccuracy));
                if (secondsToReference == null && testAccuracy >= TrainingOptions.REFERENCE_ACCURACY) {
                    secondsToReference = trainingNanos / 1e9;
                }
                epochs.add(new ModelCard.Epoch(epoch, lossSum / seen, (double) correct / digitsSeen, validationLoss,
                        validationAccuracy, epochSeconds, seen / (epochTrainingNanos / 1e9)));
                progress.printf("  epoch %d: train loss %.4f acc %.2f%%%s, test acc %.2f%%, %.1f s%n", epoch,
                        lossSum / seen, 100.0 * correct / digitsSeen,
                        validationAccuracy == null ? "" : String.format(", validation loss %.4f acc %.2f%%",
                                validationLoss, 100 * validationAccuracy),
                        100 * testAccuracy, epochSeconds);
            }
        } catch (RuntimeException | Error e) {
            trainer.close();
            model.close();
            throw e;
        } finally {
            prefetcher.shutdownNow();
        }
        return new TrainingRun(options, model, network, trainer, epochs, checkpoints, trainingNanos / 1e9,
                secondsToReference);
    }

    /**
     * One optimisation step on a batch of preprocessed images and their labels; returns the
     * batch's mean loss and its number of correct answers.
     */
    public static float[] step(Model model, Trainer trainer, float[] pixels, float[] labels) {
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = scope.create(pixels, new Shape(labels.length, 1, Mnist.SIDE, Mnist.SIDE));
            NDArray y = scope.create(labels);
            float loss;
            long correct;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray lossArray = hasOutliers(labels)
                        ? outlierExposureLoss(scope, logits, labels)
                        : trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                collector.backward(lossArray);
                loss = lossArray.getFloat();
                correct = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).eq(y).sum().getLong();
            }
            trainer.step();
            return new float[] {loss, correct};
        }
    }

    private static boolean hasOutliers(float[] labels) {
        return labels.length > 0 && labels[labels.length - 1] < 0;
    }

    /**
     * Softmax cross-entropy for the digits and, for the outliers (label -1), {@link Outliers#WEIGHT}
     * times the cross-entropy to the uniform distribution over the ten digits; the batch's mean.
     */
    private static NDArray outlierExposureLoss(NDManager scope, NDArray logits, float[] labels) {
        float[] target = new float[labels.length * Mnist.CLASSES];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 0) {
                target[i * Mnist.CLASSES + (int) labels[i]] = 1f;
            } else {
                Arrays.fill(target, i * Mnist.CLASSES, (i + 1) * Mnist.CLASSES, Outliers.WEIGHT / Mnist.CLASSES);
            }
        }
        NDArray soft = scope.create(target, new Shape(labels.length, Mnist.CLASSES));
        return logits.logSoftmax(1).mul(soft).sum(new int[] {1}).neg().mean();
    }

    private Batch makeBatch(TrainingData data, int[] order, int batchIndex, int epoch, Augmenter augmenter,
                            Outliers outliers) {
        int start = batchIndex * options.batchSize();
        int digits = Math.min(options.batchSize(), order.length - start);
        int n = digits + (int) Math.round(digits * options.outliers());
        float[] pixels = new float[n * Mnist.PIXELS];
        float[] labels = new float[n];
        SplittableRandom random = new SplittableRandom(options.seed() * 1_000_003L + epoch * 100_019L + batchIndex);
        for (int i = 0; i < digits; i++) {
            int index = order[start + i];
            labels[i] = data.raw().label(index);
            if (augmenter == null) {
                data.copyPreprocessed(index, pixels, i * Mnist.PIXELS);
            } else {
                float[] augmented = augmenter.apply(data.raw().image(index), random).pixels();
                System.arraycopy(augmented, 0, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
            }
        }
        for (int i = digits; i < n; i++) {
            labels[i] = -1;
            System.arraycopy(outliers.next(random), 0, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
        }
        return new Batch(pixels, labels, digits);
    }

    /**
     * Test accuracy of the network as it stands, measured the way it will be served: exported to
     * ONNX and run by ONNX Runtime (also several times faster than a DJL forward pass here).
     */
    public static double onnxAccuracy(Architecture architecture, SequentialBlock network, TrainingData.Labelled set) {
        byte[] onnx = OnnxExporter.export(architecture, network, "checkpoint");
        try (OnnxClassifier classifier = OnnxClassifier.load(onnx, "checkpoint", OnnxClassifier.Threads.DEFAULT)) {
            float[] probabilities = classifier.probabilities(set.pixels(), set.count());
            int correct = 0;
            for (int i = 0; i < set.count(); i++) {
                if (Prediction.argMax(probabilities, i) == set.labels()[i]) {
                    correct++;
                }
            }
            return (double) correct / set.count();
        } catch (ModelLoadException e) {
            throw new IllegalStateException("the exporter wrote an unusable model: " + e.getMessage(), e);
        }
    }

    /** Mean cross-entropy and accuracy over a preprocessed set, in inference mode. */
    public static double[] lossAndAccuracy(Trainer trainer, Model model, TrainingData.Labelled set) {
        float[] probabilities = TrainingRun.probabilities(trainer, model, set.pixels(), set.count());
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < set.count(); i++) {
            if (Prediction.argMax(probabilities, i) == set.labels()[i]) {
                correct++;
            }
            loss -= Math.log(Math.max(1e-12, probabilities[i * Mnist.CLASSES + set.labels()[i]]));
        }
        return new double[] {loss / set.count(), (double) correct / set.count()};
    }

    private static Batch await(Future<Batch> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("preparing a batch failed: " + e.getCause(), e.getCause());
        }
    }
}
