package dev.stratus.training;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.config.EnvironmentCommandLine;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.SmokeTest;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.network.Architecture;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stratus retrain}: the users' corrections (as {@code export-feedback} writes them) on top
 * of MNIST, a new candidate trained, and the gate ({@link RetrainGate}) that adds it to the
 * registry only if it is not worse than the active model. The decision and both models' scores
 * go into the candidate's card either way. Exit 0: accepted and added; 3: refused by the gate.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a candidate on MNIST plus users' corrections and adds it to the model registry",
                "only if it is not worse than the active model on MNIST test and on held-back corrections.",
                "Exit 0: accepted (promote it with 'stratus models promote'); 3: refused by the gate."})
public final class RetrainCommand implements Callable<Integer> {
    static final int REFUSED = 3;
    /** The variables it honours: training's and the registry's. */
    static final List<EnvVar> ENVIRONMENT = Stream.concat(TrainingEnvironment.VARIABLES.stream(),
            Stream.of(ModelRegistry.VARIABLE)).toList();

    @Option(names = "--feedback", required = true,
            description = "Directory written by 'stratus export-feedback' (" + FeedbackFiles.IMAGES + " and its labels).")
    Path feedback;

    @Option(names = "--registry", description = "Model registry (else $STRATUS_MODELS, else ~/.local/share/stratus/models).")
    Path registry;

    @Option(names = "--tolerance", defaultValue = "0.005",
            description = "How far below the active model the candidate may score, as a share (default ${DEFAULT-VALUE}: half a point).")
    double tolerance;

    @Option(names = "--holdout", defaultValue = "0.2",
            description = "Share of the corrections held back to judge both models by (default ${DEFAULT-VALUE}).")
    double holdout;

    @Option(names = "--arch", defaultValue = "stratus", description = "Network: stratus or paper (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--epochs", description = "Passes over the training set (the architecture's default otherwise).")
    Integer epochs;

    @Option(names = "--limit", description = "Train on only the first N MNIST training images, plus every correction (0: all).")
    Integer limit;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the training and of the hold-out split (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "PyTorch threads (0: one per core).")
    Integer threads;

    @Option(names = "--augment", negatable = true, description = "Augment as the architecture's default does (--no-augment: off).")
    Boolean augment;

    @Option(names = "--data", description = "Directory of the four MNIST files (else $STRATUS_DATA, else ~/.cache/stratus/mnist).")
    Path data;

    @Option(names = "--out", description = "Where to write the candidate (default runs/retrain-<time>).")
    Path out;

    private final Map<String, String> env;
    private final PrintStream console;

    RetrainCommand(Map<String, String> env, PrintStream console) {
        this.env = Map.copyOf(env);
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.out).execute(args));
    }

    static CommandLine commandLine(Map<String, String> env, PrintStream console) {
        CommandLine line = new CommandLine(new RetrainCommand(env, console));
        line.setExecutionExceptionHandler(TrainingCli::oneLine);
        EnvironmentCommandLine.describe(line, ENVIRONMENT);
        return line;
    }

    @Override
    public Integer call() throws IOException, RegistryException {
        if (!(tolerance >= 0 && tolerance < 1) || !(holdout > 0 && holdout < 1)) {
            throw new IllegalArgumentException("--tolerance is 0 to 1 and --holdout between 0 and 1, got "
                    + tolerance + " and " + holdout);
        }
        TrainingEnvironment environment = TrainingEnvironment.from(env);
        Path registryDir = ModelRegistry.directory(registry, ModelRegistry.VARIABLE.path(env));
        ModelRegistry models = ModelRegistry.open(registryDir);
        String activeVersion = models.state().active();
        LabeledImages corrections = readFeedback(feedback);
        RetrainGate.Split split = RetrainGate.split(corrections, holdout, seed);
        console.printf("Retraining against %s (registry %s): %d corrections from %s, %d to train on, %d held back%n",
                activeVersion, registryDir, corrections.count(), feedback, split.train().count(), split.heldBack().count());

        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        MnistFiles files = environment.mnist().files(data).ensurePresent(environment.mnist().mirrors(), console);
        LabeledImages mnist = files.train();
        TrainingOptions options = options();
        LabeledImages train = (options.limit() > 0 ? mnist.head(options.limit()) : mnist).concat(split.train());
        LabeledImages test = files.test();
        TrainingData prepared = TrainingData.prepare(train, test, new Preprocessor(), options.validationSplit(), 0,
                options.seed());
        Path directory = out != null ? out : Path.of("runs", "retrain-" + java.time.LocalDateTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ModelCard card;
        try (TrainingRun run = new CnnTrainer(options, console).train(prepared)) {
            card = ModelWriter.write(run, prepared, MnistFiles.SHA256, null, directory);
        }

        RetrainGate.Scores candidate;
        try (Model model = Model.load(directory, OnnxClassifier.Threads.DEFAULT)) {
            candidate = RetrainGate.Scores.of(model.classifier(), test, split.heldBack());
        }
        RetrainGate.Scores active;
        try (Model model = models.load(activeVersion, OnnxClassifier.Threads.DEFAULT)) {
            active = RetrainGate.Scores.of(model.classifier(), test, split.heldBack());
        }
        ModelCard.Gate gate = RetrainGate.decide(activeVersion, candidate, active, tolerance, split, Instant.now());
        card = card.withGate(gate);
        card.write(directory.resolve(ModelContract.CARD_FILE));
        console.printf(Locale.ROOT, "Gate: MNIST test %.2f %% (candidate) vs %.2f %% (%s)%s%n", 100 * candidate.mnist(),
                100 * active.mnist(), activeVersion, candidate.feedback() == null ? "; no held-back corrections"
                        : String.format(Locale.ROOT, "; %d held-back corrections %.2f %% vs %.2f %%",
                        split.heldBack().count(), 100 * candidate.feedback(), 100 * active.feedback()));
        if (!"accepted".equals(gate.decision())) {
            console.printf("Refused: %s. The candidate stays in %s, not in the registry.%n", gate.reason(), directory);
            return REFUSED;
        }
        SmokeTest smoke = models.smokeTest().orElse(null);
        if (smoke == null) {
            smoke = models.keepSmokeSample(SmokeTest.of(test));
        }
        SmokeTest.Result added = models.add(directory, smoke);
        console.printf("Accepted: %s. Added %s to the registry (%s); serve it with: stratus models promote %s%n",
                gate.reason(), card.version(), added.message(), card.version());
        return 0;
    }

    private static LabeledImages readFeedback(Path dir) throws IOException {
        Path images = dir.resolve(FeedbackFiles.IMAGES);
        Path labels = dir.resolve(FeedbackFiles.LABELS);
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException(dir + ": no " + FeedbackFiles.IMAGES + " and " + FeedbackFiles.LABELS
                    + " here; write them with: stratus export-feedback --out " + dir);
        }
        return Idx.read(images, labels);
    }

    private TrainingOptions options() {
        Architecture architecture = Architecture.byName(arch);
        TrainingOptions d = TrainingOptions.defaults(architecture);
        Augmentation augmentation = augment == null ? d.augmentation() : augment ? Augmentation.DRAWN_DIGITS : Augmentation.NONE;
        return new TrainingOptions(architecture, epochs != null ? epochs : d.epochs(), d.batchSize(), d.learningRate(),
                d.schedule(), seed, d.validationSplit(), augmentation, limit != null ? limit : 0,
                threads != null ? threads : d.threads(), 0, d.outliers());
    }
}
