package dev.stratus.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The whole distributed pipeline on this machine, each part a child process on 127.0.0.1:
 * a Kafka cluster, a CouchDB-API server, gateways, inference workers and nginx in front of the
 * gateways. {@link #start()} brings them up in that order; {@link #close()} stops them in the
 * reverse order, and may be called from another thread (a shutdown hook) while start() runs.
 */
public final class DistributedStack implements AutoCloseable {
    /** The main class of the server artifact, which has the {@code up} and {@code worker} commands. */
    static final String SERVER_MAIN = "dev.stratus.server.ServerCli";

    /** JVM options of the gateways and workers. */
    static final List<String> SERVER_JVM = List.of("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC");

    private static final Duration GATEWAY_START = Duration.ofSeconds(120);
    /** A gateway's public readiness (200 when ready); /health/* is on its management port, a free one here. */
    public static final String GATEWAY_STATUS = "/api/v1/status";
    private static final Duration WORKER_START = Duration.ofSeconds(120);
    private static final Duration JVM_STOP_GRACE = Duration.ofSeconds(20);

    /** What to start, and where; {@code rateLimit} is nginx's limit on each client's API requests. */
    public record Settings(int port, int brokers, int gateways, int workers, Path workDir, String serverClasspath,
                           LocalNginx.RateLimit rateLimit) {
        /** With nginx's default limit. */
        public Settings(int port, int brokers, int gateways, int workers, Path workDir, String serverClasspath) {
            this(port, brokers, gateways, workers, workDir, serverClasspath, LocalNginx.RateLimit.DEFAULT);
        }

        public Settings {
            Objects.requireNonNull(rateLimit, "rateLimit");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("--port must be 1 to 65535, got " + port);
            }
            if (brokers < 1) {
                throw new IllegalArgumentException("--brokers must be at least 1, got " + brokers);
            }
            if (gateways < 0 || workers < 0) {
                throw new IllegalArgumentException("--gateways and --workers must be >= 0");
            }
            Objects.requireNonNull(workDir, "workDir");
            if (gateways + workers > 0 && (serverClasspath == null || serverClasspath.isBlank())) {
                throw new IllegalArgumentException("gateways and workers run the server artifact: give its classpath"
                        + " with -Dstratus.server.classpath or --server-classpath");
            }
        }
    }

    /** One running process, as the table at the end of the start shows it; port 0 = none. */
    public record Member(String role, long pid, int port, Path log) {
    }

    /** A gateway or worker, and how to start it again: its command and environment (the credentials). */
    private record Child(String role, int port, Process process, Path log, List<String> command,
                         Map<String, String> environment) {
        @Override
        public String toString() {
            return "Child[role=" + role + ", port=" + port + ", pid=" + process.pid() + "]";
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;
    private final List<Child> gateways = new ArrayList<>();
    private final List<Child> workers = new ArrayList<>();
    private volatile boolean closing;
    private volatile Thread starter;
    private final CountDownLatch startFinished = new CountDownLatch(1);
    private volatile LocalKafkaCluster kafka;
    private volatile LocalCouchDb couchDb;
    private volatile LocalNginx nginx;
    /** The server's classpath with its own jars copied under the work directory ({@link ServerClasspath#snapshot}). */
    private volatile String serverClasspath;
    private volatile WorkDirLock lock;
    private volatile Supervisor supervisor;
    private volatile StackCredentials credentials;

    public DistributedStack(Settings settings, Consumer<String> progress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Starts every part, step by step, reporting each to the progress consumer. */
    public void start() {
        starter = Thread.currentThread();
        try {
            Path work = settings.workDir().toAbsolutePath();
            lock = WorkDirLock.acquire(work);
            stopLeftovers(work);
            // Kafka holds only requests in flight: each run starts a fresh cluster. CouchDB's
            // predictions and the gateways' data directories are kept.
            deleteRecursively(work.resolve("kafka"));
            deleteRecursively(work.resolve("logs"));
            // It listed an earlier run's processes; written again once this one has started.
            deleteRecursively(work.resolve(MembersFile.NAME));
            serverClasspath = ServerClasspath.snapshot(settings.serverClasspath(), work.resolve("lib"));
            credentials = StackCredentials.forWorkDir(work);
            int steps = 3 + (settings.workers() > 0 ? 1 : 0) + (settings.gateways() > 0 ? 2 : 0);
            int step = 0;

            step(++step, steps, "Kafka: " + settings.brokers() + " KRaft node(s)");
            long t = System.nanoTime();
            kafka = keepUnlessClosing(LocalKafkaCluster.start(work.resolve("kafka"), settings.brokers(), Map.of(),
                    credentials));
            done(t, kafka.bootstrapServers());

            step(++step, steps, "CouchDB API: pouchdb-server");
            t = System.nanoTime();
            couchDb = keepUnlessClosing(LocalCouchDb.start(work.resolve("couchdb"), Processes.freePort(),
                    credentials.couchDb()));
            done(t, couchDb.url());

            if (settings.gateways() > 0) {
                step(++step, steps, settings.gateways() + " gateway(s)");
                t = System.nanoTime();
                startGateways(work);
                done(t, gateways.stream().map(g -> Integer.toString(g.port())).toList().toString());
            }
            if (settings.workers() > 0) {
                step(++step, steps, settings.workers() + " worker(s)");
                t = System.nanoTime();
                startWorkers(work);
                done(t, "consumer group of " + workers.size());
            }
            if (settings.gateways() > 0) {
                step(++step, steps, "nginx on port " + settings.port());
                t = System.nanoTime();
                nginx = keepUnlessClosing(LocalNginx.start(work.resolve("nginx"), settings.port(),
                        gateways.stream().map(Child::port).toList(), settings.rateLimit()));
                done(t, nginx.url());

                step(++step, steps, "waiting until every gateway is ready");
                t = System.nanoTime();
                for (Child gateway : gateways) {
                    Processes.awaitHttpOk(gateway.role(), gateway.process(), gateway.log(),
                            URI.create(localUrl(gateway.port()) + GATEWAY_STATUS), GATEWAY_START);
                }
                done(t, "");
            } else {
                progress.accept("[" + ++step + "/" + steps + "] no gateways, so no nginx");
            }
            writeMembers();
            synchronized (this) {
                if (!closing) {
                    supervisor = new Supervisor(this::parts, progress, this::writeMembers);
                }
            }
        } finally {
            starter = null;
            startFinished.countDown();
        }
    }

    /** Where a browser goes: nginx when there are gateways; null without. */
    public String url() {
        return nginx != null ? nginx.url() : null;
    }

    /** Every running process, in start order. */
    public synchronized List<Member> members() {
        List<Member> members = new ArrayList<>();
        if (kafka != null) {
            for (int node = 0; node < kafka.nodes(); node++) {
                if (kafka.isRunning(node)) {
                    members.add(new Member("kafka-" + node, kafka.pid(node), kafka.brokerPort(node), kafka.logFile(node)));
                }
            }
        }
        if (couchDb != null && couchDb.isRunning()) {
            members.add(new Member("couchdb", couchDb.pid(), couchDb.port(), couchDb.logFile()));
        }
        Stream.concat(gateways.stream(), workers.stream()).filter(c -> c.process().isAlive())
                .forEach(c -> members.add(new Member(c.role(), c.process().pid(), c.port(), c.log())));
        if (nginx != null && nginx.isRunning()) {
            members.add(new Member("nginx", nginx.pid(), nginx.port(), nginx.prefix().resolve("logs/access.log")));
        }
        return members;
    }

    /** Stops everything in the reverse order of the start; safe to call more than once and from any thread. */
    @Override
    public void close() {
        closing = true;
        Thread running = starter;
        if (running != null && running != Thread.currentThread()) {
            // A start in progress gives up at its next wait and stops what it was starting.
            running.interrupt();
            try {
                startFinished.await(JVM_STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Supervisor watching = supervisor;
        if (watching != null) {
            watching.close();
        }
        synchronized (this) {
            if (nginx != null) {
                nginx.close();
            }
            stopTogether(workers);
            stopTogether(gateways);
            if (couchDb != null) {
                couchDb.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (lock != null) {
                lock.close();
                lock = null;
            }
        }
    }

    /** What an earlier supervisor of this work directory left running (it had no lock: it is gone). */
    private void stopLeftovers(Path work) {
        List<ProcessHandle> leftovers = Leftovers.find(work);
        if (!leftovers.isEmpty()) {
            progress.accept("Stopping " + leftovers.size() + " process(es) left by an earlier run under " + work + ":\n"
                    + Leftovers.describe(leftovers).stripTrailing());
            Processes.stopHandles(leftovers, JVM_STOP_GRACE);
        }
    }

    private void startGateways(Path work) {
        int[] ports = Processes.freePorts(settings.gateways());
        for (int i = 0; i < settings.gateways(); i++) {
            String id = "gateway-" + (i + 1);
            launch(gateways, id, ports[i], work, List.of("up", "--pipeline", "kafka",
                    "--bootstrap", kafka.bootstrapServers(), "--couchdb", couchDb.url(),
                    "--host", Processes.LOOPBACK, "--port", Integer.toString(ports[i]),
                    // Several gateways on one machine: each its own free management port (in its log).
                    "--management-port", "0",
                    "--data-dir", work.resolve(id).toString(), "--rate-limit", "0", "--gateway-id", id));
        }
        // Started together, awaited one by one: the JVMs warm up in parallel.
        for (Child gateway : List.copyOf(gateways)) {
            Processes.awaitHttpOk(gateway.role(), gateway.process(), gateway.log(),
                    URI.create(localUrl(gateway.port()) + GATEWAY_STATUS), GATEWAY_START);
        }
    }

    private void startWorkers(Path work) {
        for (int i = 0; i < settings.workers(); i++) {
            String id = "worker-" + (i + 1);
            launch(workers, id, 0, work, List.of("worker", "--bootstrap", kafka.bootstrapServers(),
                    "--couchdb", couchDb.url(), "--worker-id", id));
        }
        for (Child worker : List.copyOf(workers)) {
            // The line WorkerCommand logs once it has joined Kafka and CouchDB.
            Processes.awaitLogLine(worker.role(), worker.process(), worker.log(), 0,
                    "Worker " + worker.role() + " ready", WORKER_START);
        }
    }

    private void launch(List<Child> group, String role, int port, Path work, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(Processes.javaBinary()));
        command.addAll(SERVER_JVM);
        command.addAll(StackJit.options());
        command.addAll(List.of("-cp", serverClasspath, SERVER_MAIN));
        command.addAll(arguments);
        Path log = work.resolve("logs").resolve(role + ".log");
        // The credentials go in the environment, which only this user can read, never on the command line.
        Map<String, String> environment = credentials.clientEnvironment();
        Process process = Processes.start(command, environment, work, log);
        synchronized (this) {
            group.add(new Child(role, port, process, log, command, environment));
        }
        if (closing) {
            throw new StartupFailedException("stopping: " + role + " was not started");
        }
    }

    /** What the supervisor watches: every process of the stack, each with the way to start it again. */
    private synchronized List<Supervisor.Part> parts() {
        List<Supervisor.Part> parts = new ArrayList<>();
        for (int node = 0; node < kafka.nodes(); node++) {
            int n = node;
            parts.add(new Supervisor.Part("kafka-" + n, () -> kafka.isRunning(n), () -> kafka.pid(n), () -> kafka.start(n)));
        }
        parts.add(new Supervisor.Part("couchdb", couchDb::isRunning, couchDb::pid, couchDb::start));
        for (List<Child> group : List.of(gateways, workers)) {
            for (Child child : group) {
                parts.add(new Supervisor.Part(child.role(), () -> current(group, child.role()).process().isAlive(),
                        () -> current(group, child.role()).process().pid(), () -> relaunch(group, child.role())));
            }
        }
        if (nginx != null) {
            List<Integer> upstreams = gateways.stream().map(Child::port).toList();
            parts.add(new Supervisor.Part("nginx", () -> nginx.isRunning(), () -> nginx.pid(), () -> nginx = LocalNginx.start(
                    settings.workDir().toAbsolutePath().resolve("nginx"), settings.port(), upstreams, settings.rateLimit())));
        }
        return parts;
    }

    private synchronized Child current(List<Child> group, String role) {
        return group.stream().filter(c -> c.role().equals(role)).findFirst().orElseThrow();
    }

    /** Starts a gateway or worker again with the command, port and log it had (the log is appended to). */
    private void relaunch(List<Child> group, String role) {
        Child dead = current(group, role);
        Process process = Processes.start(dead.command(), dead.environment(), settings.workDir().toAbsolutePath(),
                dead.log());
        synchronized (this) {
            group.set(group.indexOf(dead), new Child(role, dead.port(), process, dead.log(), dead.command(),
                    dead.environment()));
        }
    }

    private void writeMembers() {
        try {
            MembersFile.write(settings.workDir().toAbsolutePath(), members());
        } catch (UncheckedIOException e) {
            progress.accept(e.getMessage());
        }
    }

    /** Returns {@code part}, or closes it when a close() came while it was starting. */
    private <T extends AutoCloseable> T keepUnlessClosing(T part) {
        if (closing) {
            try {
                part.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new StartupFailedException("stopping: the start was interrupted");
        }
        return part;
    }

    private static void stopTogether(List<Child> children) {
        List<Process> alive = children.stream().map(Child::process).filter(Process::isAlive).toList();
        if (!alive.isEmpty()) {
            Processes.stopAll(alive, JVM_STOP_GRACE);
        }
    }

    private void step(int step, int steps, String what) {
        progress.accept("[" + step + "/" + steps + "] " + what + " ...");
    }

    private void done(long startNanos, String detail) {
        progress.accept(String.format("      ready in %.1f s%s", (System.nanoTime() - startNanos) / 1e9,
                detail.isEmpty() ? "" : ": " + detail));
    }

    private static String localUrl(int port) {
        return "http://" + Processes.LOOPBACK + ":" + port;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}
