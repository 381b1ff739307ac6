package dev.stratus.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that speaks the CouchDB HTTP API on 127.0.0.1: {@code pouchdb-server} (Apache
 * CouchDB itself cannot be installed here; deployments use the official CouchDB image). Its
 * databases live in one directory, so a {@link #stop()} and {@link #start()} keep the data.
 */
public final class LocalCouchDb implements AutoCloseable {
    /** System property naming the pouchdb-server executable. */
    public static final String BINARY_PROPERTY = "stratus.pouchdb";
    /** How long the server may take to answer {@code GET /}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LocalCouchDb.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;

    private LocalCouchDb(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server on a free port that keeps its databases in {@code dir}; returns when it answers. */
    public static LocalCouchDb start(Path dir) {
        return start(dir, Processes.freePort());
    }

    /** Starts a server on {@code port} that keeps its databases in {@code dir}; returns when it answers. */
    public static LocalCouchDb start(Path dir, int port) {
        LocalCouchDb couch = new LocalCouchDb(binary(), dir.toAbsolutePath(), port);
        couch.start();
        return couch;
    }

    /** {@code http://127.0.0.1:port}, without a trailing slash. */
    public String url() {
        return "http://" + Processes.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The file with the server's output; pouchdb-server also writes log.txt in its directory. */
    public Path logFile() {
        return dir.resolve("pouchdb-server.log");
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The operating-system process id of the server, while it runs. */
    public synchronized long pid() {
        if (!isRunning()) {
            throw new IllegalStateException("pouchdb-server is not running");
        }
        return process.pid();
    }

    /** Starts the server (again) on the same port and directory; returns when {@code GET /} answers 200. */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("pouchdb-server is already running on " + url());
        }
        long started = System.nanoTime();
        List<String> command = List.of(binary.toString(), "--host", Processes.LOOPBACK, "--port", Integer.toString(port),
                "--dir", dir.toString(), "--config", dir.resolve("config.json").toString());
        // Its working directory is the data directory: it writes log.txt there.
        process = Processes.start(command, dir, logFile());
        try {
            Processes.awaitHttpOk("pouchdb-server", process, logFile(), URI.create(url() + "/"), START_TIMEOUT);
            quietRequestLog();
        } catch (RuntimeException e) {
            Processes.kill(process);
            throw e;
        }
        LOG.info("CouchDB API (pouchdb-server) ready in {} ms on {}, data in {}",
                (System.nanoTime() - started) / 1_000_000, url(), dir);
    }

    /**
     * Logs warnings and errors only (CouchDB's {@code [log] level}, kept in config.json). At its
     * default, info, the server writes a line per request twice (log.txt and its output); the
     * gateways and workers log failures themselves.
     */
    private void quietRequestLog() {
        HttpRequest put = HttpRequest.newBuilder(URI.create(url() + "/_config/log/level")).timeout(Duration.ofSeconds(5))
                .PUT(HttpRequest.BodyPublishers.ofString("\"warning\"")).build();
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                LOG.warn("pouchdb-server kept its request log: PUT /_config/log/level answered {}", response.statusCode());
            }
        } catch (IOException e) {
            LOG.warn("pouchdb-server kept its request log: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailedException("interrupted while configuring pouchdb-server", e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s); the data stay in the directory. */
    public synchronized void stop() {
        if (process != null) {
            Processes.stop(process, STOP_GRACE);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The pouchdb-server executable: the system property {@value #BINARY_PROPERTY}, else where
     * scripts/install-pouchdb.sh puts it, {@code ~/.cache/stratus/pouchdb/node_modules/.bin/pouchdb-server}.
     */
    public static Path binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        Path binary = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "stratus", "pouchdb", "node_modules", ".bin",
                        "pouchdb-server");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("pouchdb-server is not installed at " + binary
                    + ": run scripts/install-pouchdb.sh (or set -D" + BINARY_PROPERTY + "=PATH)");
        }
        return binary.toAbsolutePath();
    }
}
