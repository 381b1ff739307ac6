package dev.stratus.server;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.server.store.H2PredictionStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stratus export-feedback}: the users' corrections as an IDX pair that training can add to MNIST. */
@Command(name = "export-feedback", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes every prediction that a user labelled as IDX files:",
                "feedback-images-idx3-ubyte (28x28, what the model saw) and feedback-labels-idx1-ubyte (the user's digit)."})
final class ExportFeedbackCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write the two IDX files into.")
    Path out;

    @Option(names = "--data-dir", description = "The app's data directory (default ~/.local/share/stratus).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : ServerConfig.defaultDataDirectory();
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        try (H2PredictionStore store = H2PredictionStore.open(data)) {
            store.forEachLabelled(record -> {
                images.writeBytes(record.input());
                labels.write(record.label());
            });
        }
        Files.createDirectories(out);
        Idx.writeImages(out.resolve(FeedbackFiles.IMAGES), Mnist.SIDE, Mnist.SIDE, images.toByteArray());
        Idx.writeLabels(out.resolve(FeedbackFiles.LABELS), labels.toByteArray());
        spec.commandLine().getOut().printf("Exported %d labelled predictions to %s and %s%n", labels.size(),
                out.resolve(FeedbackFiles.IMAGES), out.resolve(FeedbackFiles.LABELS));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
