package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.augment.Outliers;
import dev.stratus.training.network.Architecture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real training run on real MNIST, then the model contract checked end to end. */
class TrainingTest {
    static LabeledImages train;
    static LabeledImages test;
    static TrainingData data;
    static TrainingRun run;

    @TempDir
    static Path out;

    @BeforeAll
    static void trainOnASubset() throws IOException {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        train = Idx.read(mnist.resolve(MnistFiles.TRAIN_IMAGES), mnist.resolve(MnistFiles.TRAIN_LABELS));
        test = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS)).head(1000);
        TrainingOptions options = new TrainingOptions(Architecture.STRATUS, 2, 64, 2e-3f, Schedule.COSINE, 7, 0.1,
                Augmentation.NONE, 8_000, 0, 0);
        data = TrainingData.prepare(train, test, new Preprocessor(), options.validationSplit(), options.limit(),
                options.seed());
        run = new CnnTrainer(options, System.out).train(data);
    }

    @AfterAll
    static void close() {
        run.close();
    }

    @Test
    void a_short_run_on_real_mnist_learns() {
        assertThat(run.epochs()).hasSize(2);
        ModelCard.Epoch last = run.epochs().get(1);
        assertThat(last.trainLoss()).isLessThan(run.epochs().get(0).trainLoss());
        assertThat(last.validationAccuracy()).isGreaterThan(0.9);
        assertThat(run.checkpoints().get(run.checkpoints().size() - 1).testAccuracy()).isGreaterThan(0.9);
    }

    @Test
    void onnx_runtime_answers_exactly_like_djl_on_1000_real_test_images() throws Exception {
        TrainingData.Labelled images = data.test();
        float[] djl = run.probabilities(images.pixels(), images.count());
        float[] onnx;
        try (OnnxClassifier classifier = OnnxClassifier.load(run.exportOnnx("parity"), "parity",
                OnnxClassifier.Threads.DEFAULT)) {
            onnx = classifier.probabilities(images.pixels(), images.count());
        }

        assertThat(images.count()).isEqualTo(1000);
        double maxDifference = 0;
        for (int i = 0; i < djl.length; i++) {
            maxDifference = Math.max(maxDifference, Math.abs(djl[i] - onnx[i]));
        }
        assertThat(maxDifference).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void writes_a_model_directory_that_serving_loads() throws IOException {
        Path dir = out.resolve("model");
        ModelCard card = ModelWriter.write(run, data, MnistFiles.SHA256, null, dir);

        assertThat(dir.resolve(ModelContract.MODEL_FILE)).isNotEmptyFile();
        assertThat(dir.resolve(ModelContract.CURVES_FILE)).isNotEmptyFile();
        assertThat(dir.resolve(ModelContract.CONFUSION_FILE)).isNotEmptyFile();
        ModelCard read = ModelCard.read(dir.resolve(ModelContract.CARD_FILE));
        assertThat(read.version()).isEqualTo(card.version()).startsWith("stratus-");
        assertThat(read.architecture().parameters()).isEqualTo(Architecture.STRATUS.parameters());
        assertThat(read.dataSha256()).isEqualTo(MnistFiles.SHA256);
        assertThat(read.test().count()).isEqualTo(1000);
        assertThat(read.test().accuracy()).isGreaterThan(0.9);
        assertThat(read.test().perDigit()).hasSize(Mnist.CLASSES);
        assertThat(read.hyperParameters()).containsEntry("epochs", 2).containsEntry("batchSize", 64);
        assertThat(read.training().epochs()).hasSize(2);
        assertThat(read.machine().cores()).isPositive();

        try (Model model = Model.load(dir, OnnxClassifier.Threads.SINGLE)) {
            assertThat(model.version()).isEqualTo(card.version());
            TrainingData.Labelled images = data.test();
            float[] probabilities = model.classifier().probabilities(images.pixels(), images.count());
            int correct = 0;
            for (int i = 0; i < images.count(); i++) {
                if (Prediction.argMax(probabilities, i) == images.labels()[i]) {
                    correct++;
                }
            }
            assertThat(correct / 1000.0).isEqualTo(read.test().accuracy());
        }
    }

    @Test
    void the_same_seed_trains_the_same_network_and_another_seed_does_not() {
        byte[] first = tinyRun(11);
        byte[] second = tinyRun(11);
        byte[] other = tinyRun(12);

        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Test
    void the_paper_network_exports_faithfully_too() throws Exception {
        TrainingOptions options = new TrainingOptions(Architecture.PAPER, 1, 64, 1e-3f, Schedule.CONSTANT, 3, 0,
                Augmentation.NONE, 1_000, 0, 0);
        TrainingData small = TrainingData.prepare(train, test.head(200), new Preprocessor(), 0, 1_000, 3);
        try (TrainingRun paper = new CnnTrainer(options, System.out).train(small);
             OnnxClassifier classifier = OnnxClassifier.load(paper.exportOnnx("paper"), "paper",
                     OnnxClassifier.Threads.DEFAULT)) {
            float[] djl = paper.probabilities(small.test().pixels(), 200);
            float[] onnx = classifier.probabilities(small.test().pixels(), 200);
            for (int i = 0; i < djl.length; i++) {
                assertThat(Math.abs(djl[i] - onnx[i])).isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    @Test
    void outliers_in_training_make_the_model_unsure_of_scribbles_and_keep_it_reading_digits() throws Exception {
        TrainingData small = TrainingData.prepare(train, test.head(300), new Preprocessor(), 0, 3_000, 5);
        TrainingOptions plain = new TrainingOptions(Architecture.PAPER, 1, 64, 1e-3f, Schedule.CONSTANT, 5, 0,
                Augmentation.NONE, 3_000, 0, 0);
        Outliers unseen = new Outliers(new Preprocessor());
        SplittableRandom random = new SplittableRandom(1234);
        float[] scribbles = new float[200 * Mnist.PIXELS];
        for (int i = 0; i < 200; i++) {
            System.arraycopy(unseen.next(random), 0, scribbles, i * Mnist.PIXELS, Mnist.PIXELS);
        }

        double[] without = confidenceAndAccuracy(plain, small, scribbles);
        double[] with = confidenceAndAccuracy(plain.withOutliers(0.5), small, scribbles);

        assertThat(with[0]).isLessThan(without[0] - 0.2);
        assertThat(with[1]).isGreaterThan(0.85);
    }

    /** The mean top probability on {@code scribbles} and the test accuracy of a model trained with {@code options}. */
    private static double[] confidenceAndAccuracy(TrainingOptions options, TrainingData small, float[] scribbles)
            throws Exception {
        try (TrainingRun run = new CnnTrainer(options, System.out).train(small);
             OnnxClassifier classifier = OnnxClassifier.load(run.exportOnnx("outliers"), "outliers",
                     OnnxClassifier.Threads.DEFAULT)) {
            int n = scribbles.length / Mnist.PIXELS;
            float[] p = classifier.probabilities(scribbles, n);
            double top = 0;
            for (int i = 0; i < n; i++) {
                top += p[i * Mnist.CLASSES + Prediction.argMax(p, i)];
            }
            TrainingData.Labelled digits = small.test();
            float[] q = classifier.probabilities(digits.pixels(), digits.count());
            int right = 0;
            for (int i = 0; i < digits.count(); i++) {
                right += Prediction.argMax(q, i) == digits.labels()[i] ? 1 : 0;
            }
            return new double[] {top / n, right / (double) digits.count()};
        }
    }

    private static byte[] tinyRun(long seed) {
        TrainingOptions options = new TrainingOptions(Architecture.STRATUS, 1, 64, 2e-3f, Schedule.COSINE, seed, 0,
                Augmentation.DRAWN_DIGITS, 640, 0, 0);
        TrainingData small = TrainingData.prepare(train, test.head(100), new Preprocessor(), 0, 640, seed);
        try (TrainingRun tiny = new CnnTrainer(options, System.out).train(small)) {
            return tiny.exportOnnx("determinism");
        }
    }
}
