package dev.stratus.training.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.cluster.Processes;
import dev.stratus.cluster.SparkClusterCommand;
import dev.stratus.core.evaluation.Evaluator;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.training.ModelWriter;
import dev.stratus.training.Schedule;
import dev.stratus.training.TrainingData;
import dev.stratus.training.TrainingEnvironment;
import dev.stratus.training.TrainingOptions;
import dev.stratus.training.TrainingRun;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.network.Architecture;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Data-parallel training on real MNIST: on a real standalone cluster (a master and two
 * workers, executors in JVMs of their own, started and stopped by {@code spark-cluster}), and
 * in {@code local[2]}.
 */
class SparkTrainingTest {
    /** Where the build's surefire settings put it (DJL_CACHE_DIR). */
    static final Path DJL_CACHE = TrainingEnvironment.from(Map.of()).djlCache();
    static LabeledImages train;
    static LabeledImages test;

    @TempDir
    Path dir;

    @BeforeAll
    static void readMnist() throws IOException {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        train = Idx.read(mnist.resolve(MnistFiles.TRAIN_IMAGES), mnist.resolve(MnistFiles.TRAIN_LABELS));
        test = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS)).head(1000);
    }

    private static TrainingOptions paper(int epochs, int limit) {
        return new TrainingOptions(Architecture.PAPER, epochs, 64, 2e-3f, Schedule.CONSTANT, 11, 0.05,
                Augmentation.NONE, limit, 0, 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void two_workers_of_a_standalone_cluster_train_a_model_that_keeps_the_contract() throws Exception {
        int port = Processes.freePort();
        Path clusterDir = dir.resolve("cluster");
        int up = new CommandLine(new SparkClusterCommand()).execute("up", "--workers", "2", "--port",
                Integer.toString(port), "--dir", clusterDir.toString(), "--worker-memory", "1g",
                "--jars", System.getProperty("stratus.spark.jars"));
        assertThat(up).isZero();
        List<Long> pids = pids(clusterDir.resolve("cluster.properties"));
        assertThat(pids).hasSize(3).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        List<ProcessHandle> executors;
        SparkTrainer.Result result;
        TrainingData data;
        try {
            TrainingOptions options = paper(2, 20_000);
            data = TrainingData.prepare(train, test, new Preprocessor(), options.validationSplit(), options.limit(),
                    options.seed());
            SparkSettings settings = new SparkSettings("spark://127.0.0.1:" + port, 2, 40, "768m", 0, Map.of());
            result = new SparkTrainer(options, settings, DJL_CACHE, System.out).train(data);
            executors = pids.stream().flatMap(pid -> ProcessHandle.of(pid).stream())
                    .flatMap(ProcessHandle::descendants).toList();
        } finally {
            assertThat(new CommandLine(new SparkClusterCommand()).execute("down", "--dir", clusterDir.toString()))
                    .isZero();
        }
        assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(executors).noneMatch(ProcessHandle::isAlive);

        try (TrainingRun run = result.run()) {
            Map<String, Object> distributed = result.distributed();
            assertThat(distributed).containsEntry("workers", 2).containsEntry("localSteps", 40);
            assertThat((List<Object>) distributed.get("executors")).as("each replica in an executor JVM of its own")
                    .hasSize(2).doesNotContain((Object) "driver");
            assertThat((List<?>) distributed.get("roundTimings")).hasSize((Integer) distributed.get("rounds"));

            Path out = dir.resolve("model");
            ModelCard card = ModelWriter.write(run, data, MnistFiles.SHA256, distributed, out);
            assertThat(card.test().accuracy()).as("accuracy on 1,000 MNIST test images").isGreaterThan(0.95);
            ModelCard stored = ModelCard.read(out.resolve(ModelContract.CARD_FILE));
            assertThat(stored.training().distributed()).containsKeys("master", "roundTimings", "setupSeconds");

            try (Model model = Model.load(out, OnnxClassifier.Threads.SINGLE)) {
                assertThat(model.version()).isEqualTo(card.version());
                assertThat(new Evaluator(model.classifier()).evaluate(test).confusion().accuracy())
                        .as("the served model scores what its card says").isEqualTo(card.test().accuracy());
            }
        }
    }

    @Test
    void local_replicas_train_repeatably_and_learn() {
        TrainingOptions options = paper(1, 4_000);
        TrainingData data = TrainingData.prepare(train, test, new Preprocessor(), options.validationSplit(),
                options.limit(), options.seed());
        SparkSettings settings = new SparkSettings("local[2]", 0, 16, "1g", 0, Map.of());

        float[] first;
        float[] second;
        try (TrainingRun run = new SparkTrainer(options, settings, DJL_CACHE, System.out).train(data).run()) {
            assertThat(run.epochs()).hasSize(1);
            assertThat(run.checkpoints().get(run.checkpoints().size() - 1).testAccuracy()).isGreaterThan(0.80);
            first = run.probabilities(data.test().pixels(), 100);
        }
        try (TrainingRun run = new SparkTrainer(options, settings, DJL_CACHE, System.out).train(data).run()) {
            second = run.probabilities(data.test().pixels(), 100);
        }
        assertThat(second).as("same seed, same shards, same model").containsExactly(first);
    }

    private static List<Long> pids(Path state) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(state)) {
            properties.load(reader);
        }
        return Arrays.stream(properties.getProperty("pids").split(",")).map(Long::parseLong).toList();
    }
}
