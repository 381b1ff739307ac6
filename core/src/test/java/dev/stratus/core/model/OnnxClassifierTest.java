package dev.stratus.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.stratus.core.TestData;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxClassifierTest {
    private static Model model;
    private static List<DigitImage> digits;
    private static LabeledImages mnist;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws ModelLoadException {
        model = Model.loadDefault(OnnxClassifier.Threads.DEFAULT);
        mnist = TestData.mnistTest().head(1000);
        Preprocessor preprocessor = new Preprocessor();
        digits = IntStream.range(0, mnist.count()).mapToObj(i -> preprocessor.apply(mnist.image(i))).toList();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void the_shipped_model_scores_its_cards_accuracy_on_all_10000_test_images() {
        LabeledImages all = TestData.mnistTest();
        Preprocessor preprocessor = new Preprocessor();
        List<DigitImage> images = IntStream.range(0, all.count()).mapToObj(i -> preprocessor.apply(all.image(i))).toList();

        List<Prediction> predictions = model.classifier().classifyBatch(images);

        long correct = IntStream.range(0, all.count()).filter(i -> predictions.get(i).digit() == all.label(i)).count();
        double accuracy = (double) correct / all.count();
        double stated = model.card().test().accuracy();
        System.out.printf("shipped model %s: %d of %d MNIST test images, %.2f %% (card: %.2f %%)%n",
                model.version(), correct, all.count(), 100 * accuracy, 100 * stated);
        assertThat(all.count()).isEqualTo(10_000).isEqualTo(model.card().test().count());
        assertThat(accuracy).as("measured accuracy against the card's %.4f", stated).isGreaterThanOrEqualTo(stated - 0.0005);
        assertThat(model.version()).isEqualTo(model.card().version()).startsWith("stratus-");
    }

    @Test
    void probabilities_are_a_distribution_and_the_digit_is_the_most_probable() {
        Prediction prediction = model.classifier().classify(digits.get(0));

        double sum = 0;
        for (float p : prediction.probabilities()) {
            assertThat(p).isBetween(0f, 1f);
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
        assertThat(prediction.digit()).isEqualTo(7);
        assertThat(prediction.confidence()).isGreaterThan(0.9f);
    }

    @Test
    void a_batch_answers_like_single_calls() {
        List<DigitImage> some = digits.subList(0, 64);
        List<Prediction> batch = model.classifier().classifyBatch(some);

        for (int i = 0; i < some.size(); i++) {
            Prediction single = model.classifier().classify(some.get(i));
            assertThat(batch.get(i).digit()).isEqualTo(single.digit());
            for (int c = 0; c < 10; c++) {
                assertThat(batch.get(i).probabilities()[c]).isCloseTo(single.probabilities()[c], within(1e-5f));
            }
        }
        assertThat(model.classifier().classifyBatch(List.of())).isEmpty();
    }

    /** SERVING sends batches of up to 8 to a single-threaded session and larger ones to the pool's. */
    @Test
    void serving_answers_small_and_large_batches_like_the_default_sessions() throws ModelLoadException {
        try (Model serving = Model.loadDefault(OnnxClassifier.Threads.SERVING)) {
            for (int size : new int[] {1, 8, 9, 64, 300}) {
                List<DigitImage> some = digits.subList(0, size);
                List<Prediction> expected = model.classifier().classifyBatch(some);
                List<Prediction> actual = serving.classifier().classifyBatch(some);
                for (int i = 0; i < size; i++) {
                    assertThat(actual.get(i).digit()).as("batch of %d, image %d", size, i).isEqualTo(expected.get(i).digit());
                    for (int c = 0; c < 10; c++) {
                        assertThat(actual.get(i).probabilities()[c]).isCloseTo(expected.get(i).probabilities()[c],
                                within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void is_safe_to_call_from_many_threads() throws Exception {
        List<Prediction> expected = model.classifier().classifyBatch(digits.subList(0, 200));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> IntStream.range(0, 200)
                        .mapToObj(i -> model.classifier().classify(digits.get(i)).digit()).toList()));
            }
            List<Integer> digitsExpected = expected.stream().map(Prediction::digit).toList();
            for (Future<List<Integer>> future : futures) {
                assertThat(future.get()).isEqualTo(digitsExpected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_corrupt_model_file_gives_a_clear_error() throws IOException {
        Path modelDir = copyOfDefaultModel();
        Path onnx = modelDir.resolve(ModelContract.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(onnx);
        Files.write(onnx, java.util.Arrays.copyOf(bytes, bytes.length / 3));

        assertThatThrownBy(() -> Model.load(modelDir, OnnxClassifier.Threads.DEFAULT))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(onnx.toString())
                .hasMessageContaining("not a usable ONNX model");
    }

    @Test
    void a_file_that_is_not_a_model_gives_a_clear_error() {
        assertThatThrownBy(() -> OnnxClassifier.load("hello, I am text".getBytes(), "notes.txt",
                OnnxClassifier.Threads.DEFAULT))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("notes.txt: not a usable ONNX model");
    }

    @Test
    void a_model_directory_without_its_card_or_network_is_rejected() throws IOException {
        Path modelDir = copyOfDefaultModel();
        Files.delete(modelDir.resolve(ModelContract.CARD_FILE));
        assertThatThrownBy(() -> Model.load(modelDir, OnnxClassifier.Threads.DEFAULT))
                .hasMessageContaining(ModelContract.CARD_FILE + ": missing");

        Files.writeString(modelDir.resolve(ModelContract.CARD_FILE), "{ not json");
        assertThatThrownBy(() -> Model.load(modelDir, OnnxClassifier.Threads.DEFAULT))
                .hasMessageContaining("not a valid model card");

        assertThatThrownBy(() -> Model.load(dir.resolve("absent"), OnnxClassifier.Threads.DEFAULT))
                .hasMessageContaining("no such model directory");
    }

    @Test
    void a_card_of_another_format_is_refused_naming_the_file_and_both_formats() throws IOException {
        Path modelDir = copyOfDefaultModel();
        Path card = modelDir.resolve(ModelContract.CARD_FILE);
        String text = Files.readString(card);
        assertThat(text).contains("\"formatVersion\" : 1");
        Files.writeString(card, text.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));

        assertThatThrownBy(() -> Model.load(modelDir, OnnxClassifier.Threads.DEFAULT))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(card.toString())
                .hasMessageContaining("format 2")
                .hasMessageContaining("reads format " + ModelCard.FORMAT_VERSION);
    }

    @Test
    void a_model_directory_loads_like_the_default() throws IOException {
        try (Model copy = Model.load(copyOfDefaultModel(), OnnxClassifier.Threads.SINGLE)) {
            assertThat(copy.version()).isEqualTo(model.version());
            assertThat(copy.classifier().classify(digits.get(3)).digit())
                    .isEqualTo(model.classifier().classify(digits.get(3)).digit());
        }
    }

    private Path copyOfDefaultModel() throws IOException {
        Path modelDir = Files.createDirectories(dir.resolve("model"));
        for (String name : List.of(ModelContract.MODEL_FILE, ModelContract.CARD_FILE)) {
            try (var in = Model.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + name)) {
                Files.copy(in, modelDir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return modelDir;
    }
}
