package dev.stratus.training;

import dev.stratus.core.config.EnvironmentCommandLine;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.ModelCard;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.network.Architecture;
import dev.stratus.training.spark.SparkSettings;
import dev.stratus.training.spark.SparkTrainer;
import dev.stratus.training.spark.StandaloneMaster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stratus train}: trains a network on MNIST and writes a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a CNN on MNIST with DJL + PyTorch (CPU) and writes a model directory:",
                "model.onnx, model-card.json, training-curves.png, confusion-matrix.png."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--arch", defaultValue = "stratus",
            description = "Network: stratus (default, augmented) or paper (the original project's). Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--epochs", description = "Passes over the training set (stratus 15, paper 10).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Images per step (stratus 128, paper 64).")
    Integer batchSize;

    @Option(names = "--learning-rate", description = "Adam's base learning rate (stratus 0.002, paper 0.001).")
    Float learningRate;

    @Option(names = "--schedule", description = "Learning-rate schedule: constant, cosine or step (stratus cosine, paper constant).")
    String schedule;

    @Option(names = "--seed", description = "Seed for initialisation, shuffling and augmentation (default 42).")
    Long seed;

    @Option(names = "--validation-split", description = "Share of the training images held out (default 0.1).")
    Double validationSplit;

    @Option(names = "--augment", negatable = true,
            description = "Distort training digits like drawn ones (rotation, slant, elastic, stroke width, gaps). Default: on for stratus, off for paper.")
    Boolean augment;

    @Option(names = "--redraw", paramLabel = "SHARE",
            description = "With augmentation: share of training digits first redrawn as the strokes path draws them, one pen along the skeleton (default 0.3; 0: none).")
    Double redraw;

    @Option(names = "--outliers", paramLabel = "SHARE",
            description = "Scribbles and blobs added to each batch per digit, trained towards an even answer over the ten digits so that the model is unsure of them (outlier exposure; stratus 0.5, paper 0).")
    Double outliers;

    @Option(names = "--limit", description = "Train on only the first N training images (0: all).")
    Integer limit;

    @Option(names = "--threads", description = "PyTorch threads (0: one per core).")
    Integer threads;

    @Option(names = "--checkpoint-every", description = "Measure test accuracy every N images until 97.45 %% is reached (0: per epoch only; default 5000).")
    Integer checkpointEvery;

    @Option(names = "--data", description = "Directory of the four MNIST files (else $STRATUS_DATA, else ~/.cache/stratus/mnist; downloaded when missing).")
    Path data;

    @Option(names = "--extra", description = "Directory with feedback-images-idx3-ubyte and feedback-labels-idx1-ubyte "
            + "(written by 'stratus export-feedback') to add to the training images; repeatable.")
    java.util.List<Path> extra = new java.util.ArrayList<>();

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Train data-parallel on Spark: local[N], spark://host:port (see 'stratus spark-cluster') or k8s://...")
    String sparkMaster;

    @Option(names = "--workers", description = "With --spark: replicas, one shard each (default: N of local[N]; required for a cluster).")
    int workers;

    @Option(names = "--local-steps", defaultValue = "32",
            description = "With --spark: steps each replica takes between two averagings. Default: ${DEFAULT-VALUE}.")
    int localSteps;

    @Option(names = "--executor-memory", defaultValue = "1g",
            description = "With --spark on a cluster: heap of each executor. Default: ${DEFAULT-VALUE}.")
    String executorMemory;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE",
            description = "With --spark: a further Spark setting (spark.executor.cores, spark.authenticate, ...); repeatable.")
    Map<String, String> sparkConf = new java.util.LinkedHashMap<>();

    @Option(names = "--out", description = "Where to write the model directory (default runs/<arch>-<time>).")
    Path out;

    private static final String SPARK_SECRET_KEY = "spark.authenticate.secret";
    /** How long a standalone master may take to accept a connection before training is refused. */
    private static final Duration MASTER_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, String> env;
    private final PrintStream console;

    /** {@code env} is the only environment the command sees; it is checked when the command runs. */
    TrainCommand(Map<String, String> env, PrintStream console) {
        this.env = Map.copyOf(env);
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine line = new CommandLine(new TrainCommand(env, System.out));
        line.setExecutionExceptionHandler(TrainingCli::oneLine);
        EnvironmentCommandLine.describe(line, TrainingEnvironment.VARIABLES);
        return line;
    }

    /**
     * The Spark settings with the cluster's secret from the environment; a secret given with
     * {@code --spark-conf} is refused, since a command line is readable by every user of the machine.
     */
    static Map<String, String> withSecret(Map<String, String> conf, Optional<String> secret) {
        if (conf.containsKey(SPARK_SECRET_KEY)) {
            throw new IllegalArgumentException("--spark-conf " + SPARK_SECRET_KEY + " puts the secret on the command line, "
                    + "where every user of this machine can read it: set " + TrainingEnvironment.SPARK_SECRET.name()
                    + " instead");
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(conf);
        secret.ifPresent(value -> {
            all.put("spark.authenticate", "true");
            all.put(SPARK_SECRET_KEY, value);
        });
        return all;
    }

    @Override
    public Integer call() throws IOException {
        TrainingEnvironment environment = TrainingEnvironment.from(env);
        TrainingOptions options = options();
        if (options.threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads()));
        }
        if (sparkMaster == null && (workers != 0 || !sparkConf.isEmpty())) {
            throw new IllegalArgumentException("--workers and --spark-conf need --spark MASTER");
        }
        // Checked before any data is read or downloaded.
        SparkSettings spark = sparkMaster == null ? null : new SparkSettings(sparkMaster, workers, localSteps,
                executorMemory, options.threads(), withSecret(sparkConf, environment.sparkSecret()));
        if (spark != null) {
            StandaloneMaster.requireReachable(spark.master(), MASTER_TIMEOUT);
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));

        MnistFiles files = environment.mnist().files(data);
        files.ensurePresent(environment.mnist().mirrors(), console);
        console.printf("Loading MNIST from %s%n", files.directory());
        LabeledImages train = files.train();
        for (Path dir : extra) {
            LabeledImages added = Idx.read(dir.resolve(FeedbackFiles.IMAGES), dir.resolve(FeedbackFiles.LABELS));
            console.printf("Adding %d labelled images from %s%n", added.count(), dir);
            train = train.concat(added);
        }
        LabeledImages test = files.test();
        long prepStart = System.nanoTime();
        TrainingData prepared = TrainingData.prepare(train, test, new Preprocessor(), options.validationSplit(),
                options.limit(), options.seed());
        console.printf("Preprocessed %d training, %d validation and %d test images in %.1f s%n",
                prepared.trainIndices().length, prepared.validation().count(), prepared.test().count(),
                (System.nanoTime() - prepStart) / 1e9);
        Architecture architecture = options.architecture();
        console.printf("Training %s (%s): %,d parameters, %,d multiply-adds per image; %d epochs, batch %d, "
                        + "Adam %.4g %s, augmentation %s%n",
                architecture.name(), architecture.summary(), architecture.parameters(), architecture.multiplyAdds(),
                options.epochs(), options.batchSize(), options.learningRate(),
                options.schedule().name().toLowerCase(), options.augmentation().enabled() ? "on" : "off");

        Path directory = out != null ? out
                : Path.of("runs", architecture.name() + "-" + java.time.LocalDateTime.now()
                        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainingRun trained;
        Map<String, Object> distributed = null;
        if (spark != null) {
            SparkTrainer.Result result = new SparkTrainer(options, spark, environment.djlCache(), console).train(prepared);
            trained = result.run();
            distributed = result.distributed();
        } else {
            trained = new CnnTrainer(options, console).train(prepared);
        }
        try (TrainingRun run = trained) {
            ModelCard card = ModelWriter.write(run, prepared, MnistFiles.SHA256, distributed, directory);
            console.printf("%nModel %s written to %s%n", card.version(), directory);
            console.printf("Test accuracy (ONNX Runtime, 10,000 MNIST test images): %.2f %%%n",
                    100 * card.test().accuracy());
            console.printf("Training time: %.1f s%s%n", card.training().wallSeconds(),
                    card.training().secondsToReference() == null ? ""
                            : String.format("; reached 97.45 %% after %.1f s", card.training().secondsToReference()));
        }
        return 0;
    }

    TrainingOptions options() {
        Architecture architecture = Architecture.byName(arch);
        TrainingOptions d = TrainingOptions.defaults(architecture);
        Augmentation augmentation = augment == null ? d.augmentation()
                : augment ? Augmentation.DRAWN_DIGITS : Augmentation.NONE;
        if (redraw != null && augmentation.chance() > 0) {
            augmentation = augmentation.withRedraw(redraw);
        } else if (redraw != null && redraw > 0) {
            throw new IllegalArgumentException("--redraw is a kind of augmentation: it needs --augment");
        }
        Schedule chosen = schedule == null ? d.schedule() : parseSchedule(schedule);
        return new TrainingOptions(architecture,
                or(epochs, d.epochs()), or(batchSize, d.batchSize()), or(learningRate, d.learningRate()), chosen,
                or(seed, d.seed()), or(validationSplit, d.validationSplit()), augmentation,
                or(limit, d.limit()), or(threads, d.threads()), or(checkpointEvery, d.checkpointEvery()),
                or(outliers, d.outliers()));
    }

    private static Schedule parseSchedule(String name) {
        try {
            return Schedule.valueOf(name.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown schedule '" + name + "'; choose constant, cosine or step");
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
