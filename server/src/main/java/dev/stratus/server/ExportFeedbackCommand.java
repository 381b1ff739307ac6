package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.server.store.CouchDbEnvironment;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.NumberLabel;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.SqlPredictionStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stratus export-feedback}: the users' corrections as an IDX pair that training can add to
 * MNIST. A corrected number contributes one record per digit: the 28x28 input of the digit in each
 * box with the corrected character in the same place.
 */
@Command(name = "export-feedback", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes every prediction and every number that a user labelled as IDX files:",
                "feedback-images-idx3-ubyte (28x28, what the model saw) and feedback-labels-idx1-ubyte (the user's digit;",
                "a number's digits one record each, labelled with the corrected number's digit in the same place).",
                "Leaves out labels relabelled too often or given by a flagged client (docs/security.md)."})
final class ExportFeedbackCommand implements ServerCommand {
    @Option(names = "--out", required = true, description = "Directory to write the two IDX files into.")
    Path out;

    @Option(names = "--data-dir", description = "The app's data directory (default ~/.local/share/stratus).")
    Path dataDir;

    @Option(names = "--couchdb", paramLabel = "URL",
            description = "Read the distributed stack's CouchDB instead of a data directory (login from "
                    + "$STRATUS_COUCHDB_USER and $STRATUS_COUCHDB_PASSWORD).")
    String couchDb;

    @Option(names = "--max-relabels", defaultValue = "1",
            description = "Leave out predictions whose label was changed more often than this (default ${DEFAULT-VALUE}).")
    int maxRelabels;

    @Option(names = "--flagged-clients", description = "A file of client addresses, one a line: "
            + "predictions that any of them labelled are left out.")
    Path flaggedClients;

    @Spec
    CommandSpec spec;

    @Override
    public List<EnvVar> environment() {
        return CouchDbEnvironment.VARIABLES;
    }

    @Override
    public int call(ServerEnvironment env) throws Exception {
        if (couchDb != null && dataDir != null) {
            throw new IllegalArgumentException("read a data directory (--data-dir) or CouchDB (--couchdb), not both");
        }
        FeedbackFilter filter = new FeedbackFilter(maxRelabels,
                flaggedClients == null ? Set.of() : FeedbackFilter.readClients(flaggedClients));
        Records records = new Records();
        try (PredictionStore store = couchDb != null ? CouchDbPredictionStore.open(env.couchDb().settings(couchDb))
                : SqlPredictionStore.open(dataDir != null ? dataDir : ServerConfig.defaultDataDirectory())) {
            store.forEachLabelled(record -> {
                if (records.kept(filter.judge(store.labelHistory(record.id())))) {
                    records.add(record.input(), record.label());
                    records.predictions++;
                }
            });
            store.numbers().forEachLabelled(number -> {
                List<String> clients = store.numbers().labelHistory(number.id()).stream().map(NumberLabel::client).toList();
                if (records.kept(filter.judgeClients(clients))) {
                    for (int i = 0; i < number.digits().size(); i++) {
                        records.add(number.digits().get(i).input(), number.label().charAt(i) - '0');
                        records.numberDigits++;
                    }
                    records.numbers++;
                }
            });
        }
        Files.createDirectories(out);
        Idx.writeImages(out.resolve(FeedbackFiles.IMAGES), Mnist.SIDE, Mnist.SIDE, records.images.toByteArray());
        Idx.writeLabels(out.resolve(FeedbackFiles.LABELS), records.labels.toByteArray());
        spec.commandLine().getOut().printf("Exported %d labelled predictions and %d digits of %d corrected numbers "
                        + "to %s and %s; left out %d relabelled more than %d time(s) and %d labelled by a flagged "
                        + "client%n", records.predictions, records.numberDigits, records.numbers,
                out.resolve(FeedbackFiles.IMAGES), out.resolve(FeedbackFiles.LABELS),
                records.verdicts.getOrDefault(FeedbackFilter.Verdict.RELABELLED, 0), maxRelabels,
                records.verdicts.getOrDefault(FeedbackFilter.Verdict.FLAGGED_CLIENT, 0));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The IDX records being written, and how many of each kind were kept or left out. */
    private static final class Records {
        final ByteArrayOutputStream images = new ByteArrayOutputStream();
        final ByteArrayOutputStream labels = new ByteArrayOutputStream();
        final Map<FeedbackFilter.Verdict, Integer> verdicts = new EnumMap<>(FeedbackFilter.Verdict.class);
        int predictions;
        int numbers;
        int numberDigits;

        boolean kept(FeedbackFilter.Verdict verdict) {
            verdicts.merge(verdict, 1, Integer::sum);
            return verdict == FeedbackFilter.Verdict.KEPT;
        }

        void add(byte[] input, int label) {
            images.writeBytes(input);
            labels.write(label);
        }
    }
}
