package dev.stratus.training.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.segment.Lattice;
import dev.stratus.training.TrainingEnvironment;
import dev.stratus.training.network.Architecture;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stratus train-verifier}: trains the segmentation verifier on lattice pieces of numbers
 * composed from the MNIST training digits and writes {@code verifier.onnx} and its card. Its
 * held-out scores come from numbers composed of MNIST test digits, which training never sees.
 */
@Command(name = "train-verifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains the number segmenter's verifier (10 digits + 'not one digit') on the pieces the",
                "segmenter cuts from numbers composed of MNIST training digits; writes verifier.onnx and",
                "verifier-card.json (default: core's classpath resource, the one every process loads)."})
public final class VerifierCommand implements Callable<Integer> {
    static final Path DEFAULT_OUT = Path.of("core/src/main/resources/stratus/models/verifier");
    static final String MODEL_FILE = "verifier.onnx";
    static final String CARD_FILE = "verifier-card.json";

    @Option(names = "--numbers", defaultValue = "8000", description = "Numbers to compose for training. Default: ${DEFAULT-VALUE}.")
    int numbers;

    @Option(names = "--held-out", defaultValue = "2000", description = "Numbers composed of test digits to score on. Default: ${DEFAULT-VALUE}.")
    int heldOut;

    @Option(names = "--negatives-kept", defaultValue = "0.3", description = "Share of the 'not one digit' training pieces kept. Default: ${DEFAULT-VALUE}.")
    double negativesKept;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the pieces. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Pieces per step. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.002", description = "Adam's base rate (cosine schedule). Default: ${DEFAULT-VALUE}.")
    float learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for composing, shuffling and initialisation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads (0: one per core).")
    int threads;

    @Option(names = "--survey", description = "Only compose the pieces and say how often the right reading is in the lattice; train nothing.")
    boolean survey;

    @Option(names = "--data", description = "Directory of the four MNIST files (else $STRATUS_DATA, else ~/.cache/stratus/mnist; downloaded when missing).")
    Path data;

    @Option(names = "--out", description = "Where to write verifier.onnx and verifier-card.json (default core/src/main/resources/stratus/models/verifier).")
    Path out = DEFAULT_OUT;

    private final Map<String, String> env;
    private final PrintStream console;

    public VerifierCommand(Map<String, String> env, PrintStream console) {
        this.env = Map.copyOf(env);
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.out).execute(args));
    }

    static CommandLine commandLine(Map<String, String> env, PrintStream console) {
        CommandLine line = new CommandLine(new VerifierCommand(env, console));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("train-verifier: " + e.getMessage());
            return e instanceof IOException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        return line;
    }

    @Override
    public Integer call() throws IOException {
        if (numbers < 1 || heldOut < 1 || epochs < 1 || batchSize < 1 || learningRate <= 0 || negativesKept <= 0
                || negativesKept > 1) {
            throw new IllegalArgumentException("--numbers, --held-out, --epochs and --batch-size must be at least 1,"
                    + " --learning-rate positive and --negatives-kept in (0, 1]");
        }
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        TrainingEnvironment environment = TrainingEnvironment.from(env);
        MnistFiles files = environment.mnist().files(data);
        files.ensurePresent(environment.mnist().mirrors(), console);

        long start = System.nanoTime();
        PieceSet train = PieceSet.compose(files.train(), numbers, seed, negativesKept);
        PieceSet test = PieceSet.compose(files.test(), heldOut, seed + 1000, 1.0);
        train.describe("training pieces (MNIST training digits)", console);
        test.describe("held-out pieces (MNIST test digits)", console);
        double composeSeconds = (System.nanoTime() - start) / 1e9;
        if (survey) {
            return 0;
        }

        String version = "verifier-" + Instant.now().toString().substring(0, 19).replace(":", "");
        long trainStart = System.nanoTime();
        byte[] onnx = new VerifierTrainer(new VerifierTrainer.Settings(epochs, batchSize, learningRate, seed), console)
                .train(train, version);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        VerifierTrainer.Scores scores = VerifierTrainer.score(onnx, test);
        console.printf("held out: 11-class accuracy %.2f %%, one digit or not %.2f %% (not-one recall %.2f %%,"
                        + " one-digit recall %.2f %%)%n", 100 * scores.accuracy(), 100 * scores.oneOrNotAccuracy(),
                100 * scores.notOneRecall(), 100 * scores.oneRecall());

        Files.createDirectories(out);
        Files.write(out.resolve(MODEL_FILE), onnx);
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("version", version);
        card.put("purpose", "segmentation verifier: is a lattice piece exactly one digit, and which");
        card.put("architecture", ordered("name", Architecture.VERIFIER.name(), "summary", Architecture.VERIFIER.summary(),
                "layers", Architecture.VERIFIER.describe(), "parameters", Architecture.VERIFIER.parameters()));
        card.put("classes", "0-9 the digit, 10 not one digit");
        card.put("training", ordered("numbers", numbers, "digits", "MNIST training set (60,000)",
                "lengths", "1-8", "spacing", "half gapped (2-8 px), half touching or overlapping (-4-0 px)",
                "pieces", train.count(), "notOneDigit", train.notOneDigit(), "notOneDigitKept", negativesKept,
                "unsureLeftOut", train.unsure(),
                "epochs", epochs, "batchSize", batchSize, "learningRate", learningRate, "seed", seed));
        card.put("labels", String.format("one digit: it holds >= %.0f %% of one digit's ink and either >= %.0f %% of its"
                + " ink is that digit's or its columns are within %d px of that digit's and >= %.0f %% of its ink is"
                + " that digit's (a neighbour's overlapping ink intruding), and < %.0f %% of any other digit's ink; not one"
                + " digit: it holds < %.0f %% of the digit's ink or >= %.0f %% of another's, or < %.0f %% of its ink is"
                + " the digit's and it is off the digit's columns by > %d px,"
                + " or < %.0f %% and off by > %d px; in between left out; pieces from lattices with every component"
                + " wider than %.1f of its height cut into bands",
                100 * PieceLabels.ONE, 100 * PieceLabels.ONE, PieceLabels.ALIGNED, 100 * PieceLabels.ALIGNED_PURITY,
                100 * PieceLabels.OTHER, 100 * PieceLabels.NOT_ONE, 100 * PieceLabels.NOT_ONE, 100 * PieceLabels.NOT_ONE,
                2 * PieceLabels.ALIGNED, 100 * PieceLabels.ONE, PieceLabels.MISALIGNED, Lattice.EVERY_CUT));
        card.put("heldOut", ordered("numbers", heldOut, "digits", "MNIST test set", "pieces", test.count(),
                "accuracy", scores.accuracy(), "oneOrNotAccuracy", scores.oneOrNotAccuracy(),
                "notOneRecall", scores.notOneRecall(), "oneRecall", scores.oneRecall(),
                "rightReadingInLatticeGapped", test.reachableShare(0),
                "rightReadingInLatticeTouching", test.reachableShare(1)));
        card.put("seconds", ordered("composing", composeSeconds, "training", trainSeconds));
        card.put("command", "./stratus train-verifier --numbers " + numbers + " --held-out " + heldOut + " --epochs "
                + epochs + " --negatives-kept " + negativesKept + " --seed " + seed);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(CARD_FILE).toFile(), card);
        console.printf("Verifier %s written to %s%n", version, out);
        return 0;
    }

    /** A map of {@code key, value, ...} in the order given, so that the card reads in that order. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
