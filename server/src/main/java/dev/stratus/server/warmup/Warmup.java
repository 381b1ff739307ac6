package dev.stratus.server.warmup;

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
 * the JIT learnt stays, because it belongs to the classes, not to the instance.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** As many connections as {@code bench serve} opens by default: batches and reads of the same sizes. */
    private static final int CONNECTIONS = 64;
    /** However quiet the compiler looks, the load runs at least this long. */
    private static final Duration MINIMUM = Duration.ofSeconds(3);
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
                new ServerConfig.Storage(scratch, config.storage().modelDirectory()));
        long start = System.nanoTime();
        long compiledBefore = CompilerThreads.cpuMillis();
        LOG.info("Warming up the request path (at most {} s) ...", budget.toSeconds());
        try (StratusServer server = StratusServer.start(copy, Backend.embedded(copy, model, false));
             LoopbackLoad load = new LoopbackLoad(server.port(), CONNECTIONS, requests())) {
            String reason = drive(start, budget);
            return new Result(load.answered(), load.failed(), (System.nanoTime() - start) / 1_000_000,
                    CompilerThreads.cpuMillis() - compiledBefore, reason);
        } finally {
            deleteTree(scratch);
        }
    }

    /** Waits until the compiler is quiet (after the minimum) or the budget is spent; says which. */
    private static String drive(long start, Duration budget) {
        long compiled = CompilerThreads.cpuMillis();
        while (true) {
            try {
                Thread.sleep(STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            long elapsed = System.nanoTime() - start;
            long now = CompilerThreads.cpuMillis();
            if (elapsed >= budget.toNanos()) {
                return "the " + budget.toSeconds() + " s budget was spent";
            }
            if (elapsed >= MINIMUM.toNanos() && now - compiled < QUIET_COMPILE_MILLIS) {
                return "the JIT compiler went quiet";
            }
            compiled = now;
        }
    }

    /** Mostly 784-pixel digits, as the page sends them; some PNGs; a readiness check now and then. */
    private static List<byte[]> requests() {
        List<byte[]> requests = new ArrayList<>();
        for (byte[] body : SampleDigits.pixelBodies(30, 1)) {
            requests.add(LoopbackLoad.request("POST", "/api/v1/predictions", "application/json", body));
        }
        for (byte[] body : SampleDigits.pngBodies(2, 2)) {
            requests.add(LoopbackLoad.request("POST", "/api/v1/predictions", "image/png", body));
        }
        requests.add(LoopbackLoad.request("GET", "/health/ready", null, null));
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
