package dev.stratus.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.predict.PredictionView;
import dev.stratus.server.store.PredictionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU steps of one prediction request outside HTTP and inference, on a real MNIST digit:
 * reading the JSON body (the plain loop, Jackson's streaming parser for any other body, and the
 * tree that the first versions built), preprocessing, and writing the answer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestPathBenchmark {
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final ImageDecoder decoder = new ImageDecoder(json);
    private final Preprocessor preprocessor = new Preprocessor();
    private byte[] body;
    private byte[] bodyWithAnotherField;
    private GreyImage image;
    private PredictionRecord record;

    @Setup
    public void setUp() {
        LabeledImages digits = BenchDigits.load();
        String array = BenchDigits.jsonArray(BenchDigits.pixels(digits, 0));
        body = ("{\"pixels\":" + array + "}").getBytes(StandardCharsets.US_ASCII);
        bodyWithAnotherField = ("{\"pixels\":" + array + ",\"client\":\"bench\"}").getBytes(StandardCharsets.US_ASCII);
        image = decoder.fromJson(body);
        DigitImage digit = preprocessor.apply(image);
        record = BenchDigits.record("0193b4f2-7c1e-7abc-8def-0123456789ab", "stratus-bench", digits.label(0),
                digit.toUnsignedBytes());
    }

    @Benchmark
    public GreyImage parsePlainLoop() {
        return decoder.fromJson(body);
    }

    @Benchmark
    public GreyImage parseJacksonStreaming() {
        return decoder.fromJson(bodyWithAnotherField);
    }

    /** What the first versions did: a tree of 784 nodes, then a loop over it. */
    @Benchmark
    public GreyImage parseJacksonTree() throws IOException {
        JsonNode pixels = json.readTree(body).get("pixels");
        double[] values = new double[Mnist.PIXELS];
        for (int i = 0; i < values.length; i++) {
            values[i] = pixels.get(i).asDouble();
        }
        return GreyImage.fromIntensities(Mnist.SIDE, Mnist.SIDE, values);
    }

    @Benchmark
    public DigitImage preprocess() {
        return preprocessor.apply(image);
    }

    @Benchmark
    public byte[] writeAnswer() throws IOException {
        return json.writeValueAsBytes(PredictionView.of(record, new PredictionView.Timings(10, 20, 30, 8, 100)));
    }
}
