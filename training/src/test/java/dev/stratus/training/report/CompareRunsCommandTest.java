package dev.stratus.training.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.core.model.ModelCard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompareRunsCommandTest {
    /** The shipped model's directory: a real card from a real run. */
    private static final Path SHIPPED = Path.of("..", "models", "default");

    @Test
    void tabulates_a_real_card_and_plots_it(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = System.out;
        System.setOut(new PrintStream(out, true, "UTF-8"));
        int code;
        try {
            code = CompareRunsCommand.commandLine().execute("--plot", dir.resolve("plot.png").toString(),
                    SHIPPED.toString());
        } finally {
            System.setOut(console);
        }

        ModelCard card = ModelCard.read(SHIPPED.resolve("model-card.json"));
        assertThat(code).isZero();
        assertThat(out.toString("UTF-8")).contains("| stratus, 1 JVM (default) | 15 | - |")
                .contains(String.format(Locale.ROOT, "%.2f %%", 100 * card.test().accuracy()))
                .contains(String.format(Locale.ROOT, "%.1f s", card.training().secondsToReference()));
        byte[] png = Files.readAllBytes(dir.resolve("plot.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void a_directory_without_a_card_is_named_in_the_error(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine line = CompareRunsCommand.commandLine();
        line.setErr(new PrintWriter(err));

        assertThat(line.execute(dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(dir.toString()).contains("no model-card.json");
    }
}
