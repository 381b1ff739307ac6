package dev.stratus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.config.EnvVar;
import dev.stratus.core.jvm.CompilerThreads;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stratus bench serve}: the prediction API under an open-model load. Starts a server (or
 * targets {@code --url}), sends real MNIST digits at constant arrival rates, one step per rate, and
 * reports latency measured from each request's intended send time, answers by status, and whether
 * the digits were recognised. See docs/load-testing.md.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load test of POST /api/v1/predictions at constant arrival rates (open model).",
                "Real MNIST digits; latency from each request's intended send time (no",
                "coordinated omission); answers by status; digits recognised. Starts",
                "'./stratus up' on a free loopback port unless --url is given."})
final class ServeBenchmark implements CliCommand {

    @Option(names = "--url", paramLabel = "URL", description = "Target this running server (e.g. http://127.0.0.1:8080) instead of starting one.")
    URI url;

    @Option(names = "--server-pid", paramLabel = "PID",
            description = "With --url: the server's process on this machine, to report its CPU per request.")
    Long serverPid;

    @Option(names = "--stratus", paramLabel = "FILE", defaultValue = "./stratus", description = "The launcher that starts the server (default ${DEFAULT-VALUE}).")
    Path stratus;

    @Option(names = "--server-arg", paramLabel = "ARG",
            description = "Extra argument for 'stratus up', repeatable: --server-arg=--max-batch=32.")
    List<String> serverArgs = new ArrayList<>();

    @Option(names = "--rate", defaultValue = "1000", description = "Requests per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--rates", split = ",", paramLabel = "RATE",
            description = "Several rates, one step each, in this order (a saturation search); overrides --rate.")
    List<Double> rates;

    @Option(names = "--seconds", defaultValue = "10", description = "Seconds per step (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--connections", defaultValue = "64",
            description = "Most requests in flight; more wait in the client, their wait counted (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--client", defaultValue = "NIO",
            description = "NIO (non-blocking sockets on one thread; default, the least client CPU per request),"
                    + " THREADS (java.net.http, a platform thread per connection) or ASYNC (HttpClient.sendAsync).")
    PredictionClient.Mode client;

    @Option(names = "--timeout-seconds", defaultValue = "10", description = "Client timeout per request (default ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--drain-seconds", defaultValue = "10",
            description = "After a step's last due time, how long requests still queued in the client may wait (default ${DEFAULT-VALUE}).")
    double drainSeconds;

    @Option(names = "--warmup-seconds", defaultValue = "3",
            description = "Unrecorded warm-up at the first rate (default ${DEFAULT-VALUE}; 0: none).")
    double warmupSeconds;

    @Option(names = "--pause-seconds", defaultValue = "2", description = "Pause between steps (default ${DEFAULT-VALUE}).")
    double pauseSeconds;

    @Option(names = "--slo-ms", defaultValue = "100",
            description = "p99 objective for the 'highest sustained rate' line (default ${DEFAULT-VALUE}).")
    double sloMillis;

    @Option(names = "--digits", defaultValue = "1000", description = "Distinct MNIST test digits to cycle through (default ${DEFAULT-VALUE}).")
    int digitCount;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST directory (else $STRATUS_DATA, else ~/.cache/stratus/mnist).")
    Path data;

    @Option(names = "--ready-timeout-seconds", defaultValue = "120",
            description = "How long to wait for the server's /api/v1/status to say ready (default ${DEFAULT-VALUE}).")
    double readyTimeoutSeconds;

    @Option(names = "--out", paramLabel = "FILE", description = "JSON results file (default runs/bench-serve-<time>.json); the PNG goes next to it.")
    Path out;

    @Spec
    CommandSpec spec;

    /** What became of this client's JIT compiler threads, for the report. */
    private String clientJit = "as the JVM runs them";

    @Override
    public List<EnvVar> environment() {
        return CliEnvironment.BENCH_SERVE;
    }

    @Override
    public int call(CliEnvironment env) throws IOException, InterruptedException {
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        List<OpenLoop.Step> plan = (rates == null || rates.isEmpty() ? List.of(rate) : rates).stream()
                .map(stepRate -> step(stepRate, seconds)).toList();
        OpenLoop.Step first = plan.get(0);
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("--timeout-seconds must be positive");
        }
        DigitRequests digits = loadDigits(env);
        Path json = out != null ? out : Path.of("runs", "bench-serve-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");

        AppProcess app = url == null ? AppProcess.start(stratus, serverArgs, env.accessLog()) : null;
        Duration requestTimeout = Duration.ofMillis((long) (timeoutSeconds * 1000));
        URI target = app != null ? app.url() : url;
        try (PredictionClient http = new PredictionClient(target, client, first.connections(), requestTimeout);
             NioClient nio = client == PredictionClient.Mode.NIO
                     ? new NioClient(target, first.connections(), requestTimeout) : null) {
            if (app != null) {
                progress.printf("Started '%s up' as PID %d on %s%n", stratus, app.pid(), target);
                progress.flush();
                app.awaitReady(http::isReady, readyTimeout(), System.err);
            } else {
                AppProcess.awaitReady(http::isReady, readyTimeout(), System.err, () -> null);
            }
            Long measured = app != null ? Long.valueOf(app.pid()) : serverPid;
            OpenLoop loop = new OpenLoop(nio != null ? nio : http, digits, requestTimeout, progress, measured != null
                    ? () -> ProcessHandle.of(measured).flatMap(server -> server.info().totalCpuDuration())
                    : Optional::empty);
            if (warmupSeconds > 0) {
                progress.printf("Warm-up: %.0f/s for %.0f s (not recorded)%n", first.rate(), warmupSeconds);
                loop.run(step(first.rate(), warmupSeconds), "warm-up");
                pause();
            }
            if (app != null || isLoopback(target)) {
                clientJit = CompilerThreads.yieldToRequests().orElse(clientJit);
                progress.printf("This client's JIT and the server on this machine: %s%n", clientJit);
            }
            List<OpenLoop.StepResult> results = new ArrayList<>();
            for (OpenLoop.Step step : plan) {
                if (!results.isEmpty()) {
                    pause();
                }
                OpenLoop.StepResult result = loop.run(step, String.format("%6.0f/s", step.rate()));
                results.add(result);
                ServeReport.printStep(console, result);
            }
            ServeReport.printSummary(console, results, sloMillis);
            write(json, target, app, digits, results);
            console.printf("Results: %s and %s%n", json, png(json));
            console.flush();
        } finally {
            if (app != null) {
                app.close();
            }
        }
        return 0;
    }

    /**
     * A server on this machine shares the cores with this client, whose own JIT would take their
     * CPU while it compiles (most of it in the first seconds: what a run right after the server's
     * ready measures). So before the recorded steps the client's compiler threads yield.
     */
    private static boolean isLoopback(URI target) {
        try {
            return InetAddress.getByName(target.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private OpenLoop.Step step(double stepRate, double stepSeconds) {
        return new OpenLoop.Step(stepRate, stepSeconds, connections, Duration.ofMillis((long) (drainSeconds * 1000)));
    }

    private Duration readyTimeout() {
        return Duration.ofMillis((long) (readyTimeoutSeconds * 1000));
    }

    private void pause() throws InterruptedException {
        Thread.sleep((long) (pauseSeconds * 1000));
    }

    private DigitRequests loadDigits(CliEnvironment env) throws IOException {
        if (digitCount <= 0) {
            throw new IllegalArgumentException("--digits must be positive");
        }
        Path dir = env.mnist().files(data).directory();
        Path images = dir.resolve(MnistFiles.TEST_IMAGES);
        Path labels = dir.resolve(MnistFiles.TEST_LABELS);
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException("the MNIST test files are not in " + dir + " (" + MnistFiles.TEST_IMAGES + ", "
                    + MnistFiles.TEST_LABELS + "); pass --data or set STRATUS_DATA");
        }
        return DigitRequests.from(Idx.read(images, labels), digitCount);
    }

    private void write(Path json, URI target, AppProcess app, DigitRequests digits, List<OpenLoop.StepResult> results)
            throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "stratus bench serve");
        report.put("finishedAt", OffsetDateTime.now().toString());
        report.put("url", target.toString());
        report.put("serverStartedByBench", app != null);
        report.put("serverArgs", app != null ? serverArgs : List.of());
        report.put("client", client.name());
        report.put("clientJit", clientJit);
        report.put("connections", connections);
        report.put("secondsPerStep", seconds);
        report.put("warmupSeconds", warmupSeconds);
        report.put("pauseSeconds", pauseSeconds);
        report.put("drainSeconds", drainSeconds);
        report.put("timeoutSeconds", timeoutSeconds);
        report.put("digits", digits.count());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("java", Runtime.version().toString());
        report.put("sloMs", sloMillis);
        report.put("sustainedRate", ServeReport.sustainedRate(results, sloMillis).stream().boxed().findFirst().orElse(null));
        report.put("steps", results.stream().map(r -> ServeReport.stepJson(r, sloMillis)).toList());
        Path parent = json.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        ServeReport.writeChart(results, String.format("stratus bench serve: %s, %s client, %d connections",
                target, client.name().toLowerCase(java.util.Locale.ROOT), connections), png(json));
    }

    static Path png(Path json) {
        String name = json.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(stem + ".png");
    }
}
