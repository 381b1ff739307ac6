package dev.stratus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stratus evaluate} through its real command line, on real MNIST images. */
class EvaluateCommandTest {
    @TempDir
    static Path dir;
    static Path images;
    static Path labels;
    static LabeledImages subset;

    record Outcome(int code, String out, String err) {
    }

    @BeforeAll
    static void writeASubset() throws IOException {
        Path mnist = Path.of(System.getProperty("stratus.test.data"));
        subset = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS)).head(500);
        images = dir.resolve("subset-images-idx3-ubyte");
        labels = dir.resolve("subset-labels-idx1-ubyte.gz");
        Idx.writeImages(images, 28, 28, subset.pixels());
        Idx.writeLabels(labels, subset.labels());
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = StratusCli.commandLine(Map.of());
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void json_output_reports_accuracy_count_and_per_digit_accuracy() throws IOException {
        Outcome outcome = run("evaluate", "--images", images.toString(), "--labels", labels.toString(), "--json");

        assertThat(outcome.code()).as(outcome.err()).isZero();
        assertThat(outcome.out().strip().lines()).hasSize(1);
        JsonNode report = new ObjectMapper().readTree(outcome.out());
        assertThat(report.get("count").asInt()).isEqualTo(500);
        assertThat(report.get("accuracy").asDouble()).isBetween(0.97, 1.0);
        assertThat(report.get("perDigit").size()).isEqualTo(10);
        assertThat(report.get("perDigit").get("7").asDouble()).isBetween(0.9, 1.0);
        assertThat(report.get("confusion").size()).isEqualTo(10);
        assertThat(report.get("model").asText()).startsWith("stratus-");
    }

    @Test
    void works_on_any_idx_pair_whatever_the_size_and_polarity() throws IOException {
        // The same digits as dark ink on white 40x48 cards, off-centre.
        int rows = 40;
        int cols = 48;
        byte[] cards = new byte[subset.count() * rows * cols];
        java.util.Arrays.fill(cards, (byte) 255);
        for (int i = 0; i < subset.count(); i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int v = subset.pixels()[i * 784 + y * 28 + x] & 0xff;
                    cards[i * rows * cols + (y + 3) * cols + x + 15] = (byte) (255 - v);
                }
            }
        }
        Path cardImages = dir.resolve("cards-idx3-ubyte.gz");
        Idx.writeImages(cardImages, rows, cols, cards);

        Outcome outcome = run("evaluate", "--images", cardImages.toString(), "--labels", labels.toString(), "--json");

        assertThat(outcome.code()).as(outcome.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(outcome.out());
        assertThat(report.get("count").asInt()).isEqualTo(500);
        assertThat(report.get("accuracy").asDouble()).isGreaterThan(0.97);
    }

    @Test
    void text_output_has_the_accuracy_per_digit_and_the_confusion_matrix() {
        Path png = dir.resolve("confusion.png");
        Outcome outcome = run("evaluate", "--images", images.toString(), "--labels", labels.toString(),
                "--limit", "100", "--confusion-png", png.toString());

        assertThat(outcome.code()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("(100 images").contains("Accuracy: ").contains("Accuracy per digit:")
                .contains("Confusion matrix").contains("true\\pred");
        assertThat(png).isNotEmptyFile();
    }

    @Test
    void a_corrupt_model_is_a_clear_error() throws IOException {
        Path model = Files.createDirectories(dir.resolve("broken-model"));
        Files.write(model.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
        Files.writeString(model.resolve("model-card.json"), "{\"version\": \"broken\", \"formatVersion\": 1}");

        Outcome outcome = run("evaluate", "--model", model.toString(), "--images", images.toString(),
                "--labels", labels.toString());

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains(model.resolve("model.onnx").toString()).contains("not a usable ONNX model");
    }

    @Test
    void mismatched_files_are_a_clear_error() {
        Outcome outcome = run("evaluate", "--images", labels.toString(), "--labels", labels.toString());

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains(labels.toString()).contains("wrong magic number 2049");
    }

    @Test
    void benchmark_reports_latency_and_throughput() throws IOException {
        Path results = dir.resolve("bench.json");
        Outcome outcome = run("bench", "model", "--data", System.getProperty("stratus.test.data"),
                "--seconds", "0.3", "--out", results.toString());

        assertThat(outcome.code()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("Single image: median").contains("images/s");
        JsonNode json = new ObjectMapper().readTree(results.toFile());
        assertThat(json.get("singleMedianMicros").asDouble()).isPositive();
        assertThat(json.get("batchImagesPerSecond").asDouble()).isPositive();
    }
}
