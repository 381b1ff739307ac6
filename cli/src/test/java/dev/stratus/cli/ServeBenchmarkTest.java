package dev.stratus.cli;

import static dev.stratus.cli.EvaluateCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stratus.cli.EvaluateCommandTest.Outcome;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code stratus bench serve} through its real command line ({@link EvaluateCommandTest#run}),
 * against a small real HTTP server that answers like the prediction API: it knows the true label
 * of each MNIST digit it is sent, can answer 503 to every n-th request, answer one digit wrongly,
 * and take its time.
 */
class ServeBenchmarkTest {
    static final String MNIST = System.getProperty("stratus.test.data");
    static final int DIGITS = 20;
    static Map<Integer, Integer> labelByPixels = new HashMap<>();
    static int wronglyAnswered;

    @TempDir
    Path dir;
    ApiStub stub;

    @BeforeAll
    static void learnTheLabels() throws IOException {
        Path mnist = Path.of(MNIST);
        LabeledImages test = Idx.read(mnist.resolve(MnistFiles.TEST_IMAGES), mnist.resolve(MnistFiles.TEST_LABELS));
        for (int i = 0; i < DIGITS; i++) {
            int[] pixels = new int[Mnist.PIXELS];
            for (int p = 0; p < Mnist.PIXELS; p++) {
                pixels[p] = test.pixels()[i * Mnist.PIXELS + p] & 0xff;
            }
            labelByPixels.put(Arrays.hashCode(pixels), test.label(i));
            if (i == 0) {
                wronglyAnswered = Arrays.hashCode(pixels);
            }
        }
        assertThat(labelByPixels).as("distinct digits").hasSize(DIGITS);
    }

    @AfterEach
    void stopStub() {
        if (stub != null) {
            stub.close();
        }
    }

    Outcome bench(String... extra) {
        String[] common = {"bench", "serve", "--url", stub.url(), "--data", MNIST, "--digits", Integer.toString(DIGITS),
                "--warmup-seconds", "0", "--pause-seconds", "0", "--out", dir.resolve("serve.json").toString()};
        String[] args = Arrays.copyOf(common, common.length + extra.length);
        System.arraycopy(extra, 0, args, common.length, extra.length);
        return run(args);
    }

    @ParameterizedTest
    @EnumSource(PredictionClient.Mode.class)
    void counts_every_answer_by_status_and_checks_each_digit_against_its_label(PredictionClient.Mode client)
            throws IOException {
        stub = new ApiStub(4, 4, 0);

        Outcome outcome = bench("--rates", "100,300", "--seconds", "0.5", "--client", client.name());

        assertThat(outcome.code()).as(outcome.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(dir.resolve("serve.json").toFile());
        JsonNode steps = report.get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("offeredRate").asDouble()).isEqualTo(100);
        assertThat(steps.get(1).get("offeredRate").asDouble()).isEqualTo(300);
        assertThat(steps.get(0).get("scheduled").asLong() + steps.get(1).get("scheduled").asLong()).isEqualTo(200);
        long ok = 0;
        long unavailable = 0;
        long correct = 0;
        for (JsonNode step : steps) {
            ok += step.get("status").get("200").asLong();
            unavailable += step.get("status").get("503").asLong();
            correct += step.get("correct").asLong();
            assertThat(step.get("status").get("other").asLong()).isZero();
            assertThat(step.get("connectionErrors").asLong()).isZero();
            assertThat(step.get("neverSent").asLong()).isZero();
            assertThat(step.get("latencyMs").get("count").asLong()).isEqualTo(step.get("scheduled").asLong());
            assertThat(step.get("sustained").asBoolean()).as("503s are errors").isFalse();
        }
        assertThat(ok).isEqualTo(stub.ok.get()).isEqualTo(150);
        assertThat(unavailable).isEqualTo(stub.unavailable.get()).isEqualTo(50);
        assertThat(correct).isEqualTo(stub.correct.get()).isLessThan(ok);
        assertThat(outcome.out()).contains("answers: 200 ").contains("recognised: ").contains("offered/s");
        assertThat(dir.resolve("serve.png")).isNotEmptyFile();
    }

    @Test
    void latency_counts_from_the_intended_send_time_when_the_server_falls_behind() throws IOException {
        // 20 ms per request over at most 2 connections: 100/s at best, while 200/s are offered for 0.6 s.
        stub = new ApiStub(8, 0, 20);

        Outcome outcome = bench("--rate", "200", "--seconds", "0.6", "--connections", "2");

        assertThat(outcome.code()).as(outcome.err()).isZero();
        assertThat(stub.mostInFlight.get()).isLessThanOrEqualTo(2);
        JsonNode step = new ObjectMapper().readTree(dir.resolve("serve.json").toFile()).get("steps").get(0);
        assertThat(step.get("status").get("200").asLong()).isEqualTo(120).isEqualTo(stub.received.get());
        // Lower bounds that the stub's service time enforces, so a slower machine only raises them: the
        // k-th request, due at k/200 s, cannot be answered before (k/2 + 1) x 20 ms, so its latency from
        // its due time is at least 5k + 20 ms (the median >= 320 ms, the last >= 615 ms); a closed loop,
        // timing from the actual send, would report ~20 ms.
        assertThat(step.get("latencyMs").get("p50").asDouble()).isGreaterThan(200);
        assertThat(step.get("latencyMs").get("max").asDouble()).isGreaterThan(500);
        assertThat(step.get("goodput").asDouble()).isLessThan(120);
    }

    @Test
    void a_step_ends_on_time_and_counts_what_it_never_sent() throws IOException {
        // 50 ms a request over one connection: 20/s, while 100/s are offered; the queue may wait 0.2 s more.
        stub = new ApiStub(2, 0, 50);

        Outcome outcome = bench("--rate", "100", "--seconds", "0.5", "--connections", "1", "--drain-seconds", "0.2",
                "--timeout-seconds", "2");

        assertThat(outcome.code()).as(outcome.err()).isZero();
        JsonNode step = new ObjectMapper().readTree(dir.resolve("serve.json").toFile()).get("steps").get(0);
        long sent = step.get("sent").asLong();
        // 50 requests need 2.5 s of service on one connection: a step that ended on time sent fewer.
        assertThat(sent).as("sent before the step's time was up").isBetween(1L, 49L);
        assertThat(stub.received.get()).as("requests the server got").isEqualTo(sent);
        assertThat(step.get("neverSent").asLong()).isEqualTo(50 - sent);
        assertThat(step.get("latencyMs").get("count").asLong()).as("every request has a latency").isEqualTo(50);
        assertThat(step.get("sustained").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PredictionClient.Mode.class)
    void a_request_without_an_answer_in_time_is_a_timeout_not_a_hang(PredictionClient.Mode client) throws IOException {
        // A server that never answers (it sleeps until the test stops it), 0.3 s allowed: every request
        // times out, and the step still ends.
        stub = new ApiStub(8, 0, 600_000);

        Outcome outcome = bench("--rate", "20", "--seconds", "0.2", "--timeout-seconds", "0.3", "--client", client.name());

        assertThat(outcome.code()).as(outcome.err()).isZero();
        JsonNode step = new ObjectMapper().readTree(dir.resolve("serve.json").toFile()).get("steps").get(0);
        assertThat(step.get("timeouts").asLong()).isEqualTo(4);
        assertThat(step.get("status").get("200").asLong()).isZero();
        assertThat(step.get("abandoned").asLong()).isZero();
    }

    @Test
    void the_lean_client_reads_answers_that_arrive_in_pieces_or_in_chunks() throws IOException {
        byte[] whole = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\n"
                + "{\"digit\":7}").getBytes(StandardCharsets.US_ASCII);
        for (int cut = 0; cut < whole.length; cut++) {
            assertThat(NioClient.HttpAnswer.parse(whole, cut)).as("first %d bytes", cut).isNull();
        }
        NioClient.HttpAnswer answer = NioClient.HttpAnswer.parse(whole, whole.length);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(PredictionClient.digitOf(answer.body())).isEqualTo(7);
        assertThat(answer.closes()).isFalse();

        byte[] chunked = ("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\n{\"err\r\n8;x=y\r\nor\":\"x\"}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(NioClient.HttpAnswer.parse(chunked, chunked.length - 2)).isNull();
        NioClient.HttpAnswer busy = NioClient.HttpAnswer.parse(chunked, chunked.length);
        assertThat(busy.status()).isEqualTo(503);
        assertThat(new String(busy.body(), StandardCharsets.US_ASCII)).isEqualTo("{\"error\":\"x\"}");
        assertThat(busy.closes()).isTrue();

        byte[] garbage = "SSH-2.0-OpenSSH\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NioClient.HttpAnswer.parse(garbage, garbage.length))
                .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP/1.x answer");
    }

    @Test
    void stops_a_started_server_that_never_becomes_ready() throws Exception {
        Path pidFile = dir.resolve("pid");
        Path argsFile = dir.resolve("args");
        Path launcher = script("echo $$ > '" + pidFile + "'\necho \"$@ access-log=$STRATUS_ACCESS_LOG\" > '" + argsFile
                + "'\nexec sleep 60\n");

        Outcome outcome = run("bench", "serve", "--stratus", launcher.toString(), "--data", MNIST,
                "--ready-timeout-seconds", "1", "--out", dir.resolve("never.json").toString());

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains("not ready after 1 s");
        deleteKeptLog(outcome.err());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("server process").isFalse();
        assertThat(Files.readString(argsFile)).startsWith("up --host 127.0.0.1 --port ").contains("--rate-limit 0")
                .contains("--data-dir ").endsWith("access-log=OFF\n");
    }

    @Test
    void a_server_that_exits_at_start_is_a_clear_error_with_the_end_of_its_log() throws IOException {
        Path launcher = script("echo 'model directory missing'\nexit 3\n");

        Outcome outcome = run("bench", "serve", "--stratus", launcher.toString(), "--data", MNIST,
                "--out", dir.resolve("exits.json").toString());

        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains("exited with code 3").contains("model directory missing");
        deleteKeptLog(outcome.err());
    }

    @Test
    void reads_the_digit_of_an_answer_without_reading_the_rest() {
        byte[] answer = "{\"id\":\"a\",\"probabilities\":[0.1,0.9],\"top\":[{\"digit\":1}],\"digit\":7,\"input\":[0]}"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(PredictionClient.digitOf(answer)).isEqualTo(7);
        assertThat(PredictionClient.digitOf("{\"error\":\"busy\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(PredictionClient.digitOf("not json".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    /** A server that failed to start leaves its log for the user, named in the message; the test's is removed. */
    private static void deleteKeptLog(String message) throws IOException {
        Matcher log = Pattern.compile("the end of its log \\((.+?server\\.log)\\)").matcher(message);
        assertThat(log.find()).as(message).isTrue();
        Path kept = Path.of(log.group(1)).getParent();
        try (var paths = Files.walk(kept)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private Path script(String body) throws IOException {
        Path file = dir.resolve("fake-stratus");
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Answers {@code POST /api/v1/predictions} like the API: 200 with the true digit (wrong for one
     * image), or 503 for every {@code unavailableEvery}-th request; sleeps {@code serviceMillis} each.
     */
    static final class ApiStub implements AutoCloseable {
        static {
            // Without it the JDK server's small writes wait for delayed ACKs: ~40 ms a request, not the API's cost.
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }

        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicInteger correct = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService threads;
        private final int unavailableEvery;
        private final long serviceMillis;
        private final ObjectMapper json = new ObjectMapper();

        ApiStub(int threadCount, int unavailableEvery, long serviceMillis) throws IOException {
            this.unavailableEvery = unavailableEvery;
            this.serviceMillis = serviceMillis;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
            threads = Executors.newFixedThreadPool(threadCount);
            server.setExecutor(threads);
            server.createContext(PredictionClient.READY, exchange -> reply(exchange, 200, "{\"status\":\"ready\"}"));
            server.createContext("/api/v1/predictions", this::predict);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void predict(HttpExchange exchange) throws IOException {
            received.incrementAndGet();
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Reply reply;
            try {
                reply = answer(exchange);
            } finally {
                // before the answer leaves: once it has, the client may rightly send the next request
                inFlight.decrementAndGet();
            }
            reply(exchange, reply.status(), reply.body());
        }

        private record Reply(int status, String body) {
        }

        private Reply answer(HttpExchange exchange) throws IOException {
            int[] pixels = json.readTree(exchange.getRequestBody()).get("pixels").traverse(json).readValueAs(int[].class);
            int key = Arrays.hashCode(pixels);
            int label = labelByPixels.get(key);
            try {
                Thread.sleep(serviceMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Reply(500, "{}");
            }
            if (unavailableEvery > 0 && requests.incrementAndGet() % unavailableEvery == 0) {
                unavailable.incrementAndGet();
                return new Reply(503, "{\"error\":\"overloaded\",\"detail\":\"queue full\"}");
            }
            int digit = key == wronglyAnswered ? (label + 1) % 10 : label;
            ok.incrementAndGet();
            if (digit == label) {
                correct.incrementAndGet();
            }
            return new Reply(200, "{\"id\":\"x\",\"probabilities\":[0.5,0.5],\"digit\":" + digit + ",\"confidence\":0.9}");
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
