package dev.stratus.server.warmup;

import dev.stratus.core.jvm.CompilerThreads;
import dev.stratus.core.model.Model;
import dev.stratus.server.Backend;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready means warm. Before the real server opens its port, a throwaway copy of it (the same
 * classes and the same loaded model, a scratch store in a temporary directory, a free loopback
 * port, no rate limit) is driven through its whole request path, HTTP included, by
 * {@link LoopbackLoad}, until the JIT compiler has little left to compile or the time budget is
 * spent. Then the copy and its directory are removed: nothing of the warm-up is stored, and what
 * the JIT learnt stays, because it belongs to the classes, not to the instance. What the JIT
 * still compiles after that (hundreds of methods in the first seconds of real traffic) runs in
 * the idle scheduling class, on CPU the requests leave idle: see {@link CompilerThreads#yieldToRequests}.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** As many connections as {@code bench serve} opens by default: batches and reads of the same sizes. */
    private static final int CONNECTIONS = 64;
    /** However quiet the compiler looks, the load runs at least this long. */
    private static final Duration MINIMUM = Duration.ofSeconds(3);
    /** The flat-out phase's share of the budget; the light phase has the rest. */
    private static final int HEAVY_SHARE_PERCENT = 60;
    /** Requests a second in the light phase, and its shortest run. */
    private static final int LIGHT_RATE = 500;
    private static final Duration LIGHT_MINIMUM = Duration.ofSeconds(2);
    private static final long STEP_MILLIS = 500;
    /** Compiler threads using less CPU than this per step (5 % of a core) count as quiet. */
    private static final long QUIET_COMPILE_MILLIS = 25;

    /** What the warm-up did, for the start-up log. */
    public record Result(long requests, long failed, long millis, long compileMillis, String stoppedBecause) {
        @Override
        public String toString() {
            return requests + " requests (" + failed + " not 200) in " + millis + " ms, " + compileMillis
                    + " ms of JIT compiler CPU; stopped: " + stoppedBecause;
        }
    }

    private Warmup() {
    }

    /** Warms the embedded request path of a server configured like {@code config}, within {@code budget}. */
    public static Result run(ServerConfig config, Model model, Duration budget) throws IOException {
        Path scratch = Files.createTempDirectory("stratus-warmup-");
        ServerConfig copy = new ServerConfig(new ServerConfig.Network("127.0.0.1", 0, config.network().maxBodyBytes()),
                new ServerConfig.RateLimit(0, 1), config.queue(),
                new ServerConfig.Storage(scratch, null), config.numbers());
        long start = System.nanoTime();
        long compiledBefore = CompilerThreads.cpuMillis();
        LOG.info("Warming up the request path (at most {} s) ...", budget.toSeconds());
        try (StratusServer server = StratusServer.start(copy, Backend.embedded(copy, model, false));
             LoopbackLoad load = new LoopbackLoad(server.port(), CONNECTIONS, requests())) {
            String reason = drive(load, start, budget);
            String yielded = CompilerThreads.yieldToRequests().map(done -> "; then " + done).orElse("");
            return new Result(load.answered(), load.failed(), (System.nanoTime() - start) / 1_000_000,
                    CompilerThreads.cpuMillis() - compiledBefore, reason + yielded);
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Two phases: flat out (large batches, the hot loops) for up to {@value #HEAVY_SHARE_PERCENT} %
     * of the budget, then a light, paced load for the rest (batches of one or two, the waits
     * between them: what a server sees most of the time, whose code the JIT otherwise compiles,
     * and deoptimises, after ready). Each phase ends early once the compiler is quiet.
     */
    private static String drive(LoopbackLoad load, long start, Duration budget) {
        long end = start + budget.toNanos();
        String heavy = phase(start, start + budget.toNanos() * HEAVY_SHARE_PERCENT / 100, MINIMUM);
        load.pace(LIGHT_RATE);
        String light = phase(System.nanoTime(), end, LIGHT_MINIMUM);
        return "flat out: " + heavy + "; " + LIGHT_RATE + "/s: " + light;
    }

    /** Waits until the compiler is quiet (after {@code minimum}) or {@code deadline}; says which. */
    private static String phase(long start, long deadline, Duration minimum) {
        long compiled = CompilerThreads.cpuMillis();
        while (true) {
            try {
                Thread.sleep(STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            long now = CompilerThreads.cpuMillis();
            if (System.nanoTime() >= deadline) {
                return "its " + (deadline - start) / 1_000_000 + " ms were spent";
            }
            if (System.nanoTime() - start >= minimum.toNanos() && now - compiled < QUIET_COMPILE_MILLIS) {
                return "the JIT compiler went quiet";
            }
            compiled = now;
        }
    }

    /** Mostly 784-pixel digits, as the page sends them; some PNGs; a status check now and then. */
    private static List<byte[]> requests() {
        List<byte[]> requests = new ArrayList<>();
        for (byte[] body : SampleDigits.pixelBodies(30, 1)) {
            requests.add(LoopbackLoad.request("POST", "/api/v1/predictions", "application/json", body));
        }
        for (byte[] body : SampleDigits.pngBodies(2, 2)) {
            requests.add(LoopbackLoad.request("POST", "/api/v1/predictions", "image/png", body));
        }
        requests.add(LoopbackLoad.request("GET", "/api/v1/status", null, null));
        return requests;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not remove the warm-up's scratch directory {}: {}", root, e.getMessage());
        }
    }
}
