package dev.stratus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code models ...} through the real command line, on a registry in a temporary directory. */
class ModelsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EvaluateCommandTest.Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = StratusCli.commandLine(Map.of("STRATUS_DATA", System.getProperty("stratus.test.data"),
                "STRATUS_MODELS", dir.resolve("registry").toString()));
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new EvaluateCommandTest.Outcome(code, out.toString(), err.toString());
    }

    @Test
    void a_version_is_added_promoted_shown_and_rolled_back() throws IOException {
        EvaluateCommandTest.Outcome listed = run("models", "list");
        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("VERSION").containsPattern("stratus-\\S+ +active +2026-");
        String shipped = listed.out().lines().filter(l -> l.contains(" active ")).findFirst().orElseThrow().split(" +")[0];

        EvaluateCommandTest.Outcome added = run("models", "add", modelDir("candidate-2").toString());
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).contains("added candidate-2: ").contains("passed").contains("active " + shipped);

        assertThat(run("models", "promote", "candidate-2").out()).contains("active candidate-2, rollback to " + shipped);
        assertThat(run("models", "canary", shipped, "--share", "0.25").out()).contains("canary " + shipped + " at 25.0 %");
        EvaluateCommandTest.Outcome shown = run("models", "show", "candidate-2");
        JsonNode view = JSON.readTree(shown.out());
        assertThat(view.get("role").asText()).isEqualTo("active");
        assertThat(view.get("card").get("version").asText()).isEqualTo("candidate-2");
        assertThat(view.get("events").findValuesAsText("action")).containsExactly("add", "promote");
        assertThat(run("models", "rollback").out()).startsWith("active " + shipped);
    }

    @Test
    void a_refused_model_and_a_bad_request_say_what_is_wrong() throws IOException {
        Path broken = modelDir("broken");
        Files.writeString(broken.resolve("model.onnx"), "garbage");

        EvaluateCommandTest.Outcome refused = run("models", "add", broken.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("refused").contains(broken.resolve("model.onnx").toString())
                .contains("not a usable ONNX model");
        assertThat(run("models", "list").out()).doesNotContain("broken");

        EvaluateCommandTest.Outcome unknown = run("models", "promote", "nope");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("no version nope");
        EvaluateCommandTest.Outcome both = run("models", "canary", "x", "--off");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("not both or neither");
    }

    private Path modelDir(String version) throws IOException {
        Path target = Files.createDirectories(dir.resolve("sources").resolve(version));
        ObjectNode card;
        try (InputStream in = resource("model-card.json")) {
            card = (ObjectNode) JSON.readTree(in);
        }
        card.put("version", version);
        JSON.writeValue(target.resolve("model-card.json").toFile(), card);
        try (InputStream in = resource("model.onnx")) {
            Files.write(target.resolve("model.onnx"), in.readAllBytes());
        }
        return target;
    }

    private static InputStream resource(String file) {
        return ModelsCommandTest.class.getResourceAsStream("/stratus/models/default/" + file);
    }
}
