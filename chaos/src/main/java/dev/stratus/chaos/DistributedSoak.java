package dev.stratus.chaos;

import dev.stratus.cluster.DistributedStack;
import dev.stratus.cluster.DistributedStack.Member;
import dev.stratus.cluster.Leftovers;
import dev.stratus.cluster.MembersFile;
import dev.stratus.cluster.Processes;
import dev.stratus.cluster.StackCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code stratus chaos}: runs {@code stratus up --distributed}, sends a steady load through
 * nginx (which spreads it over both gateways), and every so often kills one of its processes
 * outright (a worker, a gateway, a Kafka broker, the CouchDB-API server or nginx, with its whole
 * process group); the stack's supervisor starts it again. Afterwards every answer is checked
 * against what is stored, and the stack is stopped and checked to leave nothing running.
 */
final class DistributedSoak {
    /** What may be killed, each as likely as the others. */
    static final List<String> VICTIMS = List.of("worker", "gateway", "kafka", "couchdb", "nginx");
    /** A request that overlaps a kill, or ends up to this long after the part is back, may fail. */
    static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration START = Duration.ofMinutes(5);
    /**
     * Unjudged load before the soak: a fresh stack's JVMs are cold, and on these two cores its
     * first answers took up to 5 s (a first request was once a 504 with no kill near it).
     */
    private static final Duration WARMUP = Duration.ofSeconds(10);
    private static final Duration RECOVERY = Duration.ofMinutes(2);

    record Settings(Path launcher, Path workDir, int port, Duration length, int rate, Duration minGap, Duration maxGap,
                    long seed) {
    }

    /** The soak's result: the tally, the kills, and what was still running after the stop. */
    record Result(SoakTally tally, List<KillWindow> kills, List<String> leftRunning, Duration length) {
        boolean passed() {
            return tally.passed() && leftRunning.isEmpty() && kills.stream().allMatch(k -> k.recoveredNanos() > 0);
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final Set<Long> seenPids = new HashSet<>();

    DistributedSoak(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    Result run(SteadyLoad load) throws Exception {
        Path work = settings.workDir().toAbsolutePath();
        Files.createDirectories(work);
        out.println("Starting stratus up --distributed under " + work + " ...");
        Path upLog = work.resolveSibling(work.getFileName() + "-up.log");
        // The log is appended to: an earlier soak's "ready" line must not count for this one.
        long upLogFrom = Files.exists(upLog) ? Files.size(upLog) : 0;
        // No limit at nginx: the load and the check afterwards all come from 127.0.0.1, one client to it.
        Launched up = Launched.start(settings.launcher(), List.of("up", "--distributed", "--port",
                Integer.toString(settings.port()), "--rate-limit", "0", "--work-dir", work.toString()), work.getParent(),
                upLog);
        List<KillWindow> kills = new ArrayList<>();
        SoakTally tally;
        try {
            up.awaitLine("up --distributed", upLogFrom, "Stratus is ready on", START);
            String url = "http://" + Processes.LOOPBACK + ":" + settings.port();
            remember(MembersFile.read(work));
            SteadyLoad warm = load.sibling();
            warm.run(() -> url, settings.rate(), System.nanoTime() + WARMUP.toNanos());
            List<SteadyLoad.Outcome> warmed = warm.finish();
            out.printf("Warm-up (not judged): %d requests in %d s, %d answered%n", warmed.size(), WARMUP.toSeconds(),
                    warmed.stream().filter(SteadyLoad.Outcome::answered).count());
            out.printf("Ready. %s of load at %d requests/s through %s, a kill every %d-%d s (seed %d)%n",
                    settings.length(), settings.rate(), url, settings.minGap().toSeconds(), settings.maxGap().toSeconds(),
                    settings.seed());
            long start = System.nanoTime();
            long end = start + settings.length().toNanos();
            Thread loader = new Thread(() -> {
                try {
                    load.run(() -> url, settings.rate(), end);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "chaos-load");
            loader.start();
            Random random = new Random(settings.seed());
            while (true) {
                long gap = settings.minGap().toMillis()
                        + (long) (random.nextDouble() * (settings.maxGap().toMillis() - settings.minGap().toMillis()));
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(gap);
                if (killAt > end - GRACE.toNanos()) {
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(killAt - System.nanoTime());
                KillWindow kill = killOne(random, work, start);
                kills.add(kill);
            }
            loader.join();
            out.println("Load done; waiting for the last answers ...");
            List<SteadyLoad.Outcome> outcomes = load.finish();
            tally = SoakTally.of(outcomes, kills, GRACE.toNanos(), load::label);
            out.printf("Checking %d answers against the store ...%n", tally.answered);
            Couch couch = new Couch(load.client(), couchUrl(work), StackCredentials.forWorkDir(work).couchDb());
            new AnswerCheck(load.client(), url).checkAll(outcomes, java.util.Map.of(), tally, out);
            couch.countRewritten(outcomes, tally);
            tally.redelivered = WorkerLogs.redelivered(work.resolve("logs"));
            remember(MembersFile.read(work));
        } finally {
            out.println("Stopping the stack (SIGTERM) ...");
            up.stop();
        }
        return new Result(tally, kills, leftRunning(work), settings.length());
    }

    /** Kills one part (its whole process group) and waits until the supervisor has it running again. */
    private KillWindow killOne(Random random, Path work, long start) throws IOException, InterruptedException {
        List<Member> members = MembersFile.read(work);
        remember(members);
        String kind = VICTIMS.get(random.nextInt(VICTIMS.size()));
        List<Member> candidates = members.stream().filter(m -> m.role().startsWith(kind)).toList();
        Member victim = candidates.get(random.nextInt(candidates.size()));
        long logFrom = Files.exists(victim.log()) ? Files.size(victim.log()) : 0;
        long killed = System.nanoTime();
        Processes.killGroup(victim.pid());
        out.printf("  %6.1f s  kill -9 %-9s (pid %d)", (killed - start) / 1e9, victim.role(), victim.pid());
        long recovered = awaitRecovery(work, victim, logFrom);
        out.println(recovered > 0 ? String.format("  back after %.1f s", (recovered - killed) / 1e9)
                : "  NOT BACK after " + RECOVERY.toSeconds() + " s");
        return new KillWindow(victim.role(), victim.pid(), killed, recovered);
    }

    /** When the part runs again under a new pid and is ready (0 if not within {@link #RECOVERY}). */
    private long awaitRecovery(Path work, Member victim, long logFrom) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (System.nanoTime() < deadline) {
            Member now = MembersFile.read(work).stream().filter(m -> m.role().equals(victim.role())).findFirst()
                    .orElse(null);
            if (now != null && now.pid() != victim.pid() && ready(now, logFrom)) {
                remember(List.of(now));
                return System.nanoTime();
            }
            Thread.sleep(100);
        }
        return 0;
    }

    /** Ready as each part says it: a gateway's readiness, a worker's log line; the others are ready when listed. */
    private static boolean ready(Member member, long logFrom) throws IOException {
        if (member.role().startsWith("gateway")) {
            return Processes.accepts(member.port()) && AnswerCheck.status(URI.create("http://" + Processes.LOOPBACK + ":"
                    + member.port() + DistributedStack.GATEWAY_STATUS)) == 200;
        }
        if (member.role().startsWith("worker")) {
            return Processes.readFrom(member.log(), logFrom).contains("Worker " + member.role() + " ready");
        }
        return true;
    }

    private void remember(List<Member> members) {
        members.forEach(m -> seenPids.add(m.pid()));
    }

    /** Every process the stack ever ran that is still alive, and whatever names its work directory. */
    private List<String> leftRunning(Path work) {
        List<String> left = new ArrayList<>();
        for (long pid : seenPids) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> left.add("pid " + pid + ": "
                    + p.info().commandLine().orElse("?")));
        }
        for (ProcessHandle p : Leftovers.find(work)) {
            if (!seenPids.contains(p.pid())) {
                left.add("pid " + p.pid() + ": " + p.info().commandLine().orElse("?"));
            }
        }
        return left;
    }

    private static String couchUrl(Path work) {
        return MembersFile.read(work).stream().filter(m -> m.role().equals("couchdb")).findFirst()
                .map(m -> "http://" + Processes.LOOPBACK + ":" + m.port())
                .orElseThrow(() -> new IllegalStateException("no couchdb in " + work.resolve(MembersFile.NAME)));
    }
}
