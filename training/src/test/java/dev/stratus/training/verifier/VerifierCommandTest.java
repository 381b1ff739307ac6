package dev.stratus.training.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.segment.PieceVerifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierCommandTest {

    @Test
    void a_tiny_run_writes_a_verifier_the_segmenter_can_load_and_its_card(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code = VerifierCommand.commandLine(Map.of(), new PrintStream(console, true)).execute(
                "--data", System.getProperty("stratus.test.data"), "--numbers", "60", "--held-out", "20",
                "--epochs", "1", "--threads", "1", "--out", dir.toString());

        assertThat(code).as(console.toString()).isZero();
        byte[] onnx = Files.readAllBytes(dir.resolve(VerifierCommand.MODEL_FILE));
        try (PieceVerifier verifier = PieceVerifier.load(onnx, "tiny")) {
            float[] p = verifier.probabilities(List.of(new DigitImage(new float[Mnist.PIXELS])));
            assertThat(p).hasSize(PieceVerifier.CLASSES);
            double sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        JsonNode card = new ObjectMapper().readTree(dir.resolve(VerifierCommand.CARD_FILE).toFile());
        assertThat(card.path("training").path("numbers").asInt()).isEqualTo(60);
        assertThat(card.path("training").path("pieces").asInt()).isPositive();
        assertThat(card.path("heldOut").path("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(card.path("command").asText()).startsWith("./stratus train-verifier --numbers 60");
    }

    @Test
    void bad_values_are_clear_errors() {
        StringWriter err = new StringWriter();
        var line = VerifierCommand.commandLine(Map.of(), System.out);
        line.setErr(new PrintWriter(err));

        assertThat(line.execute("--negatives-kept", "0", "--data", "/nonexistent")).isEqualTo(2);
        assertThat(err.toString()).contains("--negatives-kept in (0, 1]");
    }
}
