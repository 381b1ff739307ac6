package dev.stratus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.config.EnvVar;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.progress.ProgressBar;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code stratus bench model}: how fast the classifier alone is, on real preprocessed MNIST test
 * digits. Single-image latency is measured call by call into an HdrHistogram; throughput by
 * back-to-back batch calls. Both after a warm-up.
 */
@Command(name = "model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Single-image latency (p50/p99) and batch throughput of a model in ONNX Runtime.")
final class ModelBenchmark implements CliCommand {

    @Option(names = "--model", description = "Model directory; default: $STRATUS_MODEL, else the shipped model.")
    Path model;

    @Option(names = "--data", description = "MNIST directory (else $STRATUS_DATA, else ~/.cache/stratus/mnist).")
    Path data;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per phase (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size of the throughput phase (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "default",
            description = "ONNX Runtime threading: 'default' (one thread per core, spinning between calls), 'single', "
                    + "or 'serving' (one per core, asleep between calls: what the server uses).")
    String threads;

    @Option(names = "--out", description = "Also write the results as JSON to this file.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public List<EnvVar> environment() {
        return CliEnvironment.BENCH_MODEL;
    }

    @Override
    public int call(CliEnvironment env) throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        OnnxClassifier.Threads threading = switch (threads) {
            case "default" -> OnnxClassifier.Threads.DEFAULT;
            case "single" -> OnnxClassifier.Threads.SINGLE;
            case "serving" -> OnnxClassifier.Threads.SERVING;
            default -> throw new IllegalArgumentException("--threads is 'default', 'single' or 'serving', not '"
                    + threads + "'");
        };
        if (batch <= 0 || !(seconds > 0)) {
            throw new IllegalArgumentException("--batch and --seconds must be positive");
        }
        MnistFiles files = env.mnist().files(data).ensurePresent(env.mnist().mirrors(), System.err);
        LabeledImages test = Idx.read(files.directory().resolve(MnistFiles.TEST_IMAGES),
                files.directory().resolve(MnistFiles.TEST_LABELS)).head(2_000);
        Preprocessor preprocessor = new Preprocessor();
        List<DigitImage> digits = java.util.stream.IntStream.range(0, test.count())
                .mapToObj(i -> preprocessor.apply(test.image(i))).toList();

        Map<String, Object> results = new LinkedHashMap<>();
        try (Model loaded = Model.resolve(model != null ? model : env.model(), threading)) {
            OnnxClassifier classifier = loaded.classifier();
            results.put("model", loaded.version());
            results.put("threads", threads);
            results.put("cores", Runtime.getRuntime().availableProcessors());

            runFor(Math.min(2, seconds), "warm-up", i -> classifier.classify(digits.get((int) (i % digits.size()))));
            Histogram latency = new Histogram(60_000_000_000L, 3);
            long calls = runFor(seconds, "single image", i -> {
                long start = System.nanoTime();
                classifier.classify(digits.get((int) (i % digits.size())));
                latency.recordValue(System.nanoTime() - start);
            });
            results.put("singleCalls", calls);
            results.put("singleMedianMicros", latency.getValueAtPercentile(50) / 1e3);
            results.put("singleP90Micros", latency.getValueAtPercentile(90) / 1e3);
            results.put("singleP99Micros", latency.getValueAtPercentile(99) / 1e3);
            results.put("singleP999Micros", latency.getValueAtPercentile(99.9) / 1e3);
            results.put("singleMaxMicros", latency.getMaxValue() / 1e3);

            float[] block = new float[batch * Mnist.PIXELS];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(digits.get((int) (i % digits.size())).pixels(), 0, block, i * Mnist.PIXELS, Mnist.PIXELS);
            }
            runFor(Math.min(2, seconds), "warm-up", i -> classifier.probabilities(block, batch));
            long start = System.nanoTime();
            long batches = runFor(seconds, "batch " + batch, i -> classifier.probabilities(block, batch));
            double elapsed = (System.nanoTime() - start) / 1e9;
            results.put("batchSize", batch);
            results.put("batchImagesPerSecond", batches * batch / elapsed);
        }
        console.printf("Model %s, ONNX Runtime threads: %s, %d cores%n", results.get("model"), threads,
                Runtime.getRuntime().availableProcessors());
        console.printf("Single image: median %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%d calls)%n",
                results.get("singleMedianMicros"), results.get("singleP90Micros"), results.get("singleP99Micros"),
                results.get("singleP999Micros"), results.get("singleMaxMicros"), results.get("singleCalls"));
        console.printf("Batch %d: %.0f images/s%n", batch, results.get("batchImagesPerSecond"));
        if (out != null) {
            Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(results));
            console.printf("Results written to %s%n", out);
        }
        console.flush();
        return 0;
    }

    /** Calls {@code body} with 0, 1, 2, ... until {@code phaseSeconds} have passed; returns the calls made. */
    private static long runFor(double phaseSeconds, String label, java.util.function.LongConsumer body) {
        long end = System.nanoTime() + (long) (phaseSeconds * 1e9);
        long total = (long) (phaseSeconds * 1e9);
        ProgressBar bar = new ProgressBar(String.format("%-13s", label), total, System.err);
        long calls = 0;
        long start = System.nanoTime();
        for (long now = start; now < end; now = System.nanoTime()) {
            body.accept(calls++);
            if ((calls & 255) == 0) {
                bar.update(now - start, calls + " calls");
            }
        }
        bar.finish(calls + " calls");
        return calls;
    }
}
