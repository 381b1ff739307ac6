package dev.stratus.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that speaks the CouchDB HTTP API on 127.0.0.1: {@code pouchdb-server} (Apache
 * CouchDB itself cannot be installed here; deployments use the official CouchDB image). Its
 * databases live in one directory (0700), so a {@link #stop()} and {@link #start()} keep the data.
 *
 * <p>It is no open server: every request must carry the one login it is given, checked by
 * {@code couchdb-guard.js} (preloaded into pouchdb-server) before pouchdb-server sees the request,
 * CouchDB's {@code require_valid_user}, which pouchdb-server lacks; each start checks that an
 * anonymous request is refused. CORS is off ({@code [httpd] enable_cors = false}; its default
 * answers any Origin, credentials allowed). The login reaches the server through its
 * environment, never its command line.
 */
public final class LocalCouchDb implements AutoCloseable {
    /** System property naming the pouchdb-server executable. */
    public static final String BINARY_PROPERTY = "stratus.pouchdb";
    /** How long the server may take to answer {@code GET /}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LocalCouchDb.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final String GUARD = "couchdb-guard.js";

    private final Path binary;
    private final Path dir;
    private final int port;
    private final StackCredentials.Login admin;
    private Process process;

    private LocalCouchDb(Path binary, Path dir, int port, StackCredentials.Login admin) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    /** Starts a server on a free port, with a generated admin, that keeps its databases in {@code dir}. */
    public static LocalCouchDb start(Path dir) {
        return start(dir, Processes.freePort(), StackCredentials.Login.generate("stratus"));
    }

    /**
     * Starts a server on {@code port} that keeps its databases in {@code dir} and answers only
     * {@code admin}; returns when it answers.
     */
    public static LocalCouchDb start(Path dir, int port, StackCredentials.Login admin) {
        LocalCouchDb couch = new LocalCouchDb(binary(), dir.toAbsolutePath(), port, admin);
        couch.start();
        return couch;
    }

    /** The one login the server accepts. */
    public StackCredentials.Login admin() {
        return admin;
    }

    /** The environment that gives a gateway or worker the admin's login (STRATUS_COUCHDB_USER, _PASSWORD). */
    public Map<String, String> clientEnvironment() {
        return Map.of(StackCredentials.COUCHDB_USER_VARIABLE, admin.user(),
                StackCredentials.COUCHDB_PASSWORD_VARIABLE, admin.password());
    }

    /** The value of an {@code Authorization} header with the admin's login. */
    public String authorization() {
        return admin.basicAuthorization();
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
        Path guard = writeConfiguration();
        List<String> command = List.of(binary.toString(), "--host", Processes.LOOPBACK, "--port", Integer.toString(port),
                "--dir", dir.toString(), "--config", dir.resolve("config.json").toString());
        Map<String, String> environment = new HashMap<>(clientEnvironment());
        environment.put("NODE_OPTIONS", "--require \"" + guard.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        // Its working directory is the data directory: it writes log.txt there.
        process = Processes.start(command, environment, dir, logFile());
        try {
            Processes.awaitHttpOk("pouchdb-server", process, logFile(), HttpRequest.newBuilder(URI.create(url() + "/"))
                    .header("Authorization", authorization()).timeout(Duration.ofSeconds(2)).GET().build(), START_TIMEOUT);
            refusesAnonymousRequests();
        } catch (RuntimeException e) {
            Processes.kill(process);
            throw e;
        }
        LOG.info("CouchDB API (pouchdb-server) ready in {} ms on {}, data in {}",
                (System.nanoTime() - started) / 1_000_000, url(), dir);
    }

    /** Fails unless an anonymous request is answered 401: a guard that did not load would leave the server open. */
    private void refusesAnonymousRequests() {
        HttpRequest anonymous = HttpRequest.newBuilder(URI.create(url() + "/_all_dbs")).timeout(Duration.ofSeconds(5))
                .GET().build();
        int status;
        try {
            status = HttpClient.newHttpClient().send(anonymous, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new StartupFailedException("pouchdb-server on " + url() + " did not answer an anonymous request: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailedException("interrupted while checking pouchdb-server", e);
        }
        if (status != 401) {
            throw new StartupFailedException("pouchdb-server on " + url() + " answered an anonymous request " + status
                    + " instead of 401: " + GUARD + " is not in front of it; " + logFile() + ":\n"
                    + Processes.tail(logFile(), 20));
        }
    }

    /**
     * Writes config.json and the guard into the data directory (0700). Logs warnings and errors only
     * ({@code [log] level}): at its default, info, the server writes a line per request twice
     * (log.txt and its output); the gateways and workers log failures themselves.
     */
    private Path writeConfiguration() {
        Path guard = dir.resolve(GUARD);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            // No [admins]: the guard is the one check (see it for why), and pouchdb-server would
            // exit on an anonymous PUT /db with one.
            StackCredentials.writePrivate(dir.resolve("config.json"), """
                    {
                      "httpd": {"enable_cors": false},
                      "log": {"level": "warning"}
                    }
                    """);
            try (InputStream script = LocalCouchDb.class.getResourceAsStream(GUARD)) {
                Files.copy(Objects.requireNonNull(script, GUARD + " is missing from the classpath"), guard,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pouchdb-server's configuration in " + dir, e);
        }
        return guard;
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
