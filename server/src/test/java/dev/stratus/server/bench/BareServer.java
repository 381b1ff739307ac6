package dev.stratus.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.predict.PredictionIds;
import dev.stratus.server.predict.PredictionView;
import dev.stratus.server.store.PredictionRecord;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ceiling of the HTTP layer on this machine (scripts/ceiling.sh): the same Javalin and Jetty as
 * the app, on the same route, reading each body and answering with a real answer's bytes (a real
 * MNIST digit's {@link PredictionView}), but doing nothing else: no parsing, preprocessing,
 * inference, storage or metrics. Whatever the app reaches, it cannot go faster than this.
 *
 * <p>Usage: {@code BareServer PORT [ANSWER_FILE]}; writes the answer's bytes to ANSWER_FILE too, so
 * that a static server can be given the same answer.
 */
public final class BareServer {
    private BareServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        byte[] answer = realAnswer();
        if (args.length > 1) {
            Files.write(Path.of(args[1]), answer);
        }
        byte[] ready = "{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8);
        Javalin app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.routes.get("/api/v1/status", ctx -> ctx.contentType("application/json").result(ready));
            config.routes.post("/api/v1/predictions", ctx -> {
                ctx.bodyAsBytes();
                ctx.contentType("application/json").result(answer);
            });
        }).start();
        System.out.println("Bare server ready on http://127.0.0.1:" + app.port() + " (" + answer.length
                + "-byte answer)");
    }

    /** The answer the app gives for the first MNIST test digit, as bytes. */
    static byte[] realAnswer() throws Exception {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        LabeledImages digits = BenchDigits.load();
        byte[] body = ("{\"pixels\":" + BenchDigits.jsonArray(BenchDigits.pixels(digits, 0)) + "}")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] input = new Preprocessor().apply(new ImageDecoder(json).fromJson(body)).toUnsignedBytes();
        PredictionRecord record = BenchDigits.record(PredictionIds.next(), "stratus-bare", digits.label(0), input);
        return json.writeValueAsBytes(PredictionView.of(record,
                new PredictionView.Timings(5, 300, 900, 16, 1_400)));
    }
}
