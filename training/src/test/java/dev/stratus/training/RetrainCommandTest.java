package dev.stratus.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.SmokeTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retrain} for real: short trainings on real MNIST and real corrections (MNIST training
 * digits the runs do not otherwise see), against a registry whose active model was trained on
 * 2,000 images. A candidate trained on 300 is refused; one trained on 8,000 is accepted; both
 * decisions are in the cards.
 */
class RetrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void the_gate_refuses_a_worse_candidate_and_accepts_a_better_one() throws Exception {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        Path registryDir = dir.resolve("registry");
        ModelRegistry registry = ModelRegistry.open(registryDir);
        LabeledImages test = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS));
        SmokeTest smoke = registry.keepSmokeSample(SmokeTest.of(test));
        Path weak = dir.resolve("weak");
        assertThat(TrainCommand.commandLine(Map.of()).execute("--data", mnist.toString(), "--limit", "2000",
                "--epochs", "1", "--no-augment", "--checkpoint-every", "0", "--seed", "5", "--out", weak.toString())).isZero();
        registry.add(weak, smoke);
        String active = ModelCard.read(weak.resolve(ModelContract.CARD_FILE)).version();
        registry.promote(active);
        Path feedback = corrections(mnist, dir.resolve("feedback"));

        Path bad = dir.resolve("bad");
        Outcome refused = retrain(registryDir, feedback, bad, "--limit", "300", "--epochs", "1");
        assertThat(refused.code()).as(refused.out()).isEqualTo(RetrainCommand.REFUSED);
        ModelCard badCard = ModelCard.read(bad.resolve(ModelContract.CARD_FILE));
        assertThat(badCard.gate().decision()).isEqualTo("refused");
        assertThat(badCard.gate().against()).isEqualTo(active);
        assertThat(badCard.gate().mnistCandidate()).isLessThan(badCard.gate().mnistActive() - 0.005);
        assertThat(badCard.gate().feedbackHeldBack()).isBetween(40, 80);
        assertThat(refused.out()).contains("Refused: ").contains("below " + active);
        assertThat(registry.list()).extracting(ModelRegistry.Entry::version).doesNotContain(badCard.version());

        Path good = dir.resolve("good");
        Outcome accepted = retrain(registryDir, feedback, good, "--limit", "8000", "--epochs", "2");
        assertThat(accepted.code()).as(accepted.out()).isZero();
        ModelCard goodCard = ModelCard.read(good.resolve(ModelContract.CARD_FILE));
        assertThat(goodCard.gate().decision()).isEqualTo("accepted");
        assertThat(goodCard.gate().feedbackCandidate()).isNotNull();
        assertThat(goodCard.gate().feedbackTrained() + goodCard.gate().feedbackHeldBack()).isEqualTo(300);
        assertThat(registry.entry(goodCard.version()).card().gate().decision()).isEqualTo("accepted");
        assertThat(registry.state().active()).as("accepted is added, not promoted").isEqualTo(active);
    }

    @Test
    void a_directory_without_corrections_is_named_with_the_command_that_writes_them() {
        Outcome missing = retrain(dir.resolve("registry"), dir.resolve("nothing"), dir.resolve("out"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains(dir.resolve("nothing").toString()).contains("stratus export-feedback");
    }

    record Outcome(int code, String out, String err) {
    }

    /** Runs retrain on one epoch without augmentation (both can be given again in {@code more}: not --epochs). */
    private static Outcome retrain(Path registry, Path feedback, Path out, String... more) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        picocli.CommandLine line = RetrainCommand.commandLine(Map.of(), new PrintStream(console, true));
        line.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("--registry", registry.toString(), "--feedback", feedback.toString(),
                "--out", out.toString(), "--data", System.getProperty("stratus.test.data"), "--no-augment", "--seed", "5"));
        args.addAll(List.of(more));
        int code = line.execute(args.toArray(String[]::new));
        return new Outcome(code, console.toString(), err.toString());
    }

    /** 300 MNIST training digits from the end of the set, as export-feedback writes corrections. */
    private static Path corrections(Path mnist, Path out) throws Exception {
        LabeledImages train = Idx.read(mnist.resolve(MnistFiles.TRAIN_IMAGES), mnist.resolve(MnistFiles.TRAIN_LABELS));
        int from = train.count() - 300;
        byte[] pixels = java.util.Arrays.copyOfRange(train.pixels(), from * 784, train.count() * 784);
        byte[] labels = java.util.Arrays.copyOfRange(train.labels(), from, train.count());
        Files.createDirectories(out);
        Idx.writeImages(out.resolve(FeedbackFiles.IMAGES), 28, 28, pixels);
        Idx.writeLabels(out.resolve(FeedbackFiles.LABELS), labels);
        return out;
    }
}
