package dev.stratus.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 from Maven-resolved jars: one master and N workers,
 * each a JVM of its own, each worker offering one core and launching its executor in another
 * JVM. {@code jars} plays {@code $SPARK_HOME/jars}: Spark and everything the jobs need (the
 * training module's {@code target/lib}).
 */
public final class LocalSparkCluster implements AutoCloseable {
    /** System property naming the directory of jars (set by the ./stratus launcher). */
    public static final String JARS_PROPERTY = "stratus.spark.jars";

    private static final Duration MASTER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WORKERS_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Pattern ALIVE = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    private final int port;
    private final int uiPort;
    private final Process master;
    private final List<Process> workers;

    private LocalSparkCluster(int port, int uiPort, Process master, List<Process> workers) {
        this.port = port;
        this.uiPort = uiPort;
        this.master = master;
        this.workers = workers;
    }

    /** Settings of a local cluster; {@code port} 0 picks free ports. */
    public record Settings(Path jars, int workers, String workerMemory, int port, Path dir) {
        public Settings {
            if (workers < 1) {
                throw new IllegalArgumentException("a cluster needs at least one worker, got " + workers);
            }
            if (!Files.isDirectory(jars)) {
                throw new IllegalArgumentException("no directory of Spark jars at " + jars
                        + " (build the training module: ./mvnw -pl training -am package)");
            }
        }
    }

    /** Starts the master and the workers; returns when every worker has registered. */
    public static LocalSparkCluster start(Settings settings) {
        Path dir = settings.dir().toAbsolutePath();
        Map<String, String> env = environment(settings.jars().toAbsolutePath(), dir);
        int[] ports = settings.port() > 0 ? new int[] {settings.port(), Processes.freePort()} : Processes.freePorts(2);
        List<Process> started = new ArrayList<>();
        try {
            Path masterLog = dir.resolve("master.log");
            // No REST submission server: jobs come through the master port only.
            Process master = Processes.start(List.of(Processes.javaBinary(), "-Xmx512m",
                    "-Dspark.master.rest.enabled=false", "-cp",
                    settings.jars().toAbsolutePath() + "/*", "org.apache.spark.deploy.master.Master",
                    "--host", Processes.LOOPBACK, "--port", Integer.toString(ports[0]),
                    "--webui-port", Integer.toString(ports[1])), env, dir, masterLog);
            started.add(master);
            URI status = URI.create("http://" + Processes.LOOPBACK + ":" + ports[1] + "/json/");
            Processes.awaitHttpOk("Spark master", master, masterLog, status, MASTER_TIMEOUT);

            List<Process> workers = new ArrayList<>();
            for (int i = 1; i <= settings.workers(); i++) {
                Path workDir = dir.resolve("worker-" + i);
                Process worker = Processes.start(List.of(Processes.javaBinary(), "-Xmx256m", "-cp",
                        settings.jars().toAbsolutePath() + "/*", "org.apache.spark.deploy.worker.Worker",
                        "--host", Processes.LOOPBACK, "--cores", "1", "--memory", settings.workerMemory(),
                        "--webui-port", Integer.toString(Processes.freePort()), "--work-dir",
                        workDir.resolve("work").toString(),
                        "spark://" + Processes.LOOPBACK + ":" + ports[0]), env, workDir, dir.resolve("worker-" + i + ".log"));
                started.add(worker);
                workers.add(worker);
            }
            awaitWorkers(master, masterLog, status, settings.workers());
            return new LocalSparkCluster(ports[0], ports[1], master, workers);
        } catch (RuntimeException e) {
            Processes.stopAll(started, STOP_GRACE);
            throw e;
        }
    }

    /**
     * What Spark's scripts would set: where the jars are, the Scala version (executors fail
     * without it), and loopback as the only address anything binds to.
     */
    private static Map<String, String> environment(Path jars, Path dir) {
        Path home = dir.resolve("spark-home");
        try {
            Files.createDirectories(home);
            Path link = home.resolve("jars");
            if (Files.isSymbolicLink(link) || Files.exists(link)) {
                Files.delete(link);
            }
            Files.createSymbolicLink(link, jars);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + home, e);
        }
        return Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13", "SPARK_LOCAL_IP",
                Processes.LOOPBACK, "OPT_OUT_TRACKING", "true");
    }

    private static void awaitWorkers(Process master, Path log, URI status, int expected) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Processes.await(expected + " Spark workers registering with the master", master, log, WORKERS_TIMEOUT,
                () -> aliveWorkers(client, status) >= expected);
    }

    private static int aliveWorkers(HttpClient client, URI status) {
        try {
            String body = client.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = ALIVE.matcher(body);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailedException("interrupted while waiting for the Spark workers", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the Spark cluster", e);
        }
    }

    /** {@code spark://127.0.0.1:port}: what {@code train --spark} takes. */
    public String masterUrl() {
        return "spark://" + Processes.LOOPBACK + ":" + port;
    }

    /** The master's web page (workers, applications). */
    public String uiUrl() {
        return "http://" + Processes.LOOPBACK + ":" + uiPort;
    }

    /** Process ids: the master's first, then the workers'. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(master.pid());
        workers.forEach(w -> pids.add(w.pid()));
        return pids;
    }

    /** Stops the workers (and so their executors), then the master. */
    @Override
    public void close() {
        Processes.stopAll(workers, STOP_GRACE);
        Processes.stop(master, STOP_GRACE);
    }

    /**
     * Stops a cluster started by another process, from its process ids: each Spark process and
     * whatever it started. Ids that no longer name a Spark JVM are skipped (the cluster already
     * stopped and the id may be someone else's now). Returns how many processes it stopped.
     */
    public static int stop(List<Long> pids) {
        List<ProcessHandle> spark = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).filter(LocalSparkCluster::isSpark).ifPresent(spark::add);
        }
        List<ProcessHandle> everything = new ArrayList<>();
        for (ProcessHandle handle : spark) {
            everything.addAll(handle.descendants().toList());
        }
        everything.addAll(spark);
        everything.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle handle : everything) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                sleep(100);
            }
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
        return spark.size();
    }

    private static boolean isSpark(ProcessHandle handle) {
        return handle.info().arguments().map(args -> String.join(" ", args).contains("org.apache.spark.deploy."))
                .orElse(false);
    }
}
