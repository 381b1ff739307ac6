package dev.stratus.server;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.server.store.SqlPredictionStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stratus export-feedback}: the users' corrections as an IDX pair that training can add to MNIST. */
@Command(name = "export-feedback", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes every prediction that a user labelled as IDX files:",
                "feedback-images-idx3-ubyte (28x28, what the model saw) and feedback-labels-idx1-ubyte (the user's digit).",
                "Leaves out predictions relabelled too often or labelled by a flagged client (docs/security.md)."})
final class ExportFeedbackCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write the two IDX files into.")
    Path out;

    @Option(names = "--data-dir", description = "The app's data directory (default ~/.local/share/stratus).")
    Path dataDir;

    @Option(names = "--max-relabels", defaultValue = "1",
            description = "Leave out predictions whose label was changed more often than this (default ${DEFAULT-VALUE}).")
    int maxRelabels;

    @Option(names = "--flagged-clients", description = "A file of client addresses, one a line: "
            + "predictions that any of them labelled are left out.")
    Path flaggedClients;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : ServerConfig.defaultDataDirectory();
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        FeedbackFilter filter = new FeedbackFilter(maxRelabels,
                flaggedClients == null ? Set.of() : FeedbackFilter.readClients(flaggedClients));
        Map<FeedbackFilter.Verdict, Integer> verdicts = new EnumMap<>(FeedbackFilter.Verdict.class);
        try (SqlPredictionStore store = SqlPredictionStore.open(data)) {
            store.forEachLabelled(record -> {
                FeedbackFilter.Verdict verdict = filter.judge(store.labelHistory(record.id()));
                verdicts.merge(verdict, 1, Integer::sum);
                if (verdict == FeedbackFilter.Verdict.KEPT) {
                    images.writeBytes(record.input());
                    labels.write(record.label());
                }
            });
        }
        Files.createDirectories(out);
        Idx.writeImages(out.resolve(FeedbackFiles.IMAGES), Mnist.SIDE, Mnist.SIDE, images.toByteArray());
        Idx.writeLabels(out.resolve(FeedbackFiles.LABELS), labels.toByteArray());
        spec.commandLine().getOut().printf("Exported %d labelled predictions to %s and %s; left out %d relabelled "
                        + "more than %d time(s) and %d labelled by a flagged client%n", labels.size(),
                out.resolve(FeedbackFiles.IMAGES), out.resolve(FeedbackFiles.LABELS),
                verdicts.getOrDefault(FeedbackFilter.Verdict.RELABELLED, 0), maxRelabels,
                verdicts.getOrDefault(FeedbackFilter.Verdict.FLAGGED_CLIENT, 0));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
