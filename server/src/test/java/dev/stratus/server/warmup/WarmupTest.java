package dev.stratus.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up drives the real request path, answers every request 200, and keeps nothing. */
class WarmupTest {

    @Test
    void drives_the_whole_request_path_and_leaves_nothing_behind(@TempDir Path data) throws IOException {
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(data).build();
        Set<String> scratchBefore = scratchDirectories();
        try (Model model = Model.loadDefault(OnnxClassifier.Threads.SERVING)) {
            Warmup.Result result = Warmup.run(config, model, Duration.ofSeconds(4));

            assertThat(result.requests()).as(result.toString()).isGreaterThan(50);
            assertThat(result.failed()).as("answers other than 200: " + result).isZero();
            assertThat(result.millis()).isBetween(3_000L, 15_000L);
            assertThat(result.stoppedBecause()).isNotBlank();
            assertThat(model.classifier().classifyBatch(List.of(new DigitImage(new float[784]))))
                    .as("the model is still open for the real server").hasSize(1);
        }
        try (Stream<Path> left = Files.list(data)) {
            assertThat(left).as("nothing in the real data directory").isEmpty();
        }
        assertThat(scratchDirectories()).as("the scratch store is removed").isSubsetOf(scratchBefore);
    }

    @Test
    void sample_digits_are_valid_bodies_of_both_kinds() {
        List<byte[]> pixels = SampleDigits.pixelBodies(3, 7);
        assertThat(pixels).hasSize(3);
        String first = new String(pixels.get(0), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(first).startsWith("{\"pixels\":[").endsWith("]}");
        assertThat(first.split(",")).hasSize(784);
        assertThat(pixels.get(0)).isNotEqualTo(pixels.get(1));
        assertThat(SampleDigits.pngBodies(1, 7).get(0)).startsWith(0x89, 'P', 'N', 'G');
    }

    private static Set<String> scratchDirectories() throws IOException {
        try (Stream<Path> temp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return temp.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("stratus-warmup-"))
                    .collect(Collectors.toSet());
        }
    }
}
