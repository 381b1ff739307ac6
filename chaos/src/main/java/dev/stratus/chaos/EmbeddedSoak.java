package dev.stratus.chaos;

import dev.stratus.cluster.DistributedStack;
import dev.stratus.cluster.Leftovers;
import dev.stratus.cluster.Processes;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code stratus chaos --embedded}: the one-JVM app under load, killed outright (SIGKILL) at a
 * random moment of each round and started again on the same data directory, {@code restarts}
 * times. Meanwhile some answers are labelled. After the last start every answered prediction
 * must read back as answered, and every acknowledged label must be there.
 */
final class EmbeddedSoak {
    private static final Duration START = Duration.ofMinutes(2);
    private static final Duration GRACE = Duration.ofSeconds(1);

    record Settings(Path launcher, Path dataDir, int port, int restarts, int rate, long seed) {
    }

    record Result(SoakTally tally, List<KillWindow> kills, List<String> leftRunning) {
        boolean passed() {
            return tally.passed() && leftRunning.isEmpty() && tally.labels > 0;
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final Map<String, Integer> labels = new ConcurrentHashMap<>();

    EmbeddedSoak(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    Result run(SteadyLoad load) throws Exception {
        Path data = settings.dataDir().toAbsolutePath();
        Files.createDirectories(data);
        Path log = data.resolveSibling(data.getFileName() + "-up.log");
        String url = "http://" + Processes.LOOPBACK + ":" + settings.port();
        // No warm-up: this soak is about what a kill -9 loses, and 50 restarts would each warm for up to 20 s.
        List<String> arguments = List.of("up", "--port", Integer.toString(settings.port()), "--management-port", "0", "--data-dir",
                data.toString(), "--rate-limit", "0", "--warmup-seconds", "0");
        Random random = new Random(settings.seed());
        List<KillWindow> kills = new ArrayList<>();
        out.printf("%d rounds of load at %d requests/s on %s, each ended by kill -9 (seed %d)%n",
                settings.restarts(), settings.rate(), url, settings.seed());
        long killedAt = 0;
        long killedPid = 0;
        for (int round = 0; ; round++) {
            Launched app = Launched.start(settings.launcher(), arguments, data.getParent(), log)
                    .awaitHttpOk("stratus up", URI.create(url + DistributedStack.GATEWAY_STATUS), START);
            if (round > 0) {
                kills.add(new KillWindow("app", killedPid, killedAt, System.nanoTime()));
            }
            if (round == settings.restarts()) {
                SoakTally tally = check(load, kills, url);
                app.stop();
                return new Result(tally, kills, left(app, data));
            }
            long roundEnd = System.nanoTime() + Duration.ofMillis(500 + random.nextInt(1500)).toNanos();
            Thread loader = new Thread(() -> {
                try {
                    load.run(() -> url, settings.rate(), roundEnd + Duration.ofMillis(300).toNanos());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "chaos-load");
            loader.start();
            labelWhileRunning(load, url, roundEnd);
            killedPid = app.pid();
            killedAt = System.nanoTime();
            app.kill();
            loader.join();
            if ((round + 1) % 10 == 0) {
                out.printf("  %d of %d restarts; %d answered, %d labels acknowledged%n", round + 1,
                        settings.restarts(), load.outcomes().stream().filter(SteadyLoad.Outcome::answered).count(),
                        labels.size());
            }
        }
    }

    /** Until {@code endNanos}, labels every third new answer with another digit (a user's correction). */
    private void labelWhileRunning(SteadyLoad load, String url, long endNanos) throws InterruptedException {
        int looked = load.outcomes().size();   // earlier rounds' answers belong to an app that is gone
        int answers = 0;
        while (System.nanoTime() < endNanos) {
            List<SteadyLoad.Outcome> outcomes = load.outcomes();
            for (SteadyLoad.Outcome outcome : outcomes.subList(looked, outcomes.size())) {
                if (!outcome.answered() || answers++ % 3 != 0) {
                    continue;
                }
                String id = outcome.answer().path("id").asText();
                int label = (outcome.answer().path("digit").asInt() + 1) % 10;
                try {
                    HttpResponse<String> response = load.client().send(HttpRequest.newBuilder(
                                    URI.create(url + "/api/v1/predictions/" + id + "/label"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"label\": " + label + "}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        labels.put(id, label);
                    }
                } catch (java.io.IOException e) {
                    return; // the app is gone: nothing more to label this round
                }
                if (System.nanoTime() >= endNanos) {
                    return;
                }
            }
            looked = outcomes.size();
            Thread.sleep(20);
        }
    }

    private SoakTally check(SteadyLoad load, List<KillWindow> kills, String url) throws InterruptedException {
        List<SteadyLoad.Outcome> outcomes = load.finish();
        SoakTally tally = SoakTally.of(outcomes, kills, GRACE.toNanos(), load::label);
        out.printf("Checking %d answers and %d labels against the store ...%n", tally.answered, labels.size());
        new AnswerCheck(load.client(), url).checkAll(outcomes, labels, tally, out);
        return tally;
    }

    private static List<String> left(Launched app, Path data) {
        List<String> left = new ArrayList<>();
        ProcessHandle.of(app.pid()).filter(ProcessHandle::isAlive).ifPresent(p -> left.add("pid " + p.pid()));
        Leftovers.find(data).forEach(p -> left.add("pid " + p.pid() + ": " + p.info().commandLine().orElse("?")));
        return left;
    }
}
