package dev.stratus.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx on 127.0.0.1 in front of the gateways: round robin, keep-alive connections to them,
 * a retry on the next gateway only for requests that are safe to repeat. Everything it owns
 * (configuration, pid file, logs, temp paths) lives under its prefix directory.
 */
public final class LocalNginx implements AutoCloseable {
    /** System property naming the nginx executable; default: {@code nginx} on the PATH, else /usr/sbin/nginx. */
    public static final String BINARY_PROPERTY = "stratus.nginx";
    /** Largest request body passed to a gateway, as the gateway's own limit. */
    public static final String MAX_BODY = "1m";

    /**
     * How many API requests per second one client address may send through nginx, and how many
     * at once beyond that ({@code limit_req ... burst=N nodelay}); 0 requests a second: no limit.
     * Every client on this machine comes from 127.0.0.1 and shares one budget.
     */
    public record RateLimit(int perSecond, int burst) {
        /** As the gateway's own default: 50 a second, bursts of 100. */
        public static final RateLimit DEFAULT = new RateLimit(50, 100);
        public static final RateLimit OFF = new RateLimit(0, 0);

        public RateLimit {
            if (perSecond < 0 || burst < 0) {
                throw new IllegalArgumentException("--rate-limit and --rate-burst must be >= 0 (0 = no limit), got "
                        + perSecond + " and " + burst);
            }
        }

        public boolean enabled() {
            return perSecond > 0;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalNginx.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path binary;
    private final Path prefix;
    private final int port;
    private final Process process;

    private LocalNginx(Path binary, Path prefix, int port, Process process) {
        this.binary = binary;
        this.prefix = prefix;
        this.port = port;
        this.process = process;
    }

    /**
     * Writes {@code prefix/nginx.conf} and starts nginx on 127.0.0.1:{@code port}, balancing
     * over the servers on 127.0.0.1:{@code upstreamPorts} and limiting each client's API requests
     * to {@code limit}; returns when the port accepts.
     */
    public static LocalNginx start(Path prefix, int port, List<Integer> upstreamPorts, RateLimit limit) {
        if (upstreamPorts.isEmpty()) {
            throw new IllegalArgumentException("nginx needs at least one upstream port");
        }
        Path binary = binary();
        Path root = prefix.toAbsolutePath();
        try {
            Files.createDirectories(root.resolve("logs"));
            Files.createDirectories(root.resolve("temp"));
            Files.writeString(root.resolve("nginx.conf"), config(port, upstreamPorts, limit));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the nginx configuration under " + root, e);
        }
        long started = System.nanoTime();
        // -e: errors before the configuration is read would otherwise go to /var/log/nginx.
        Process process = Processes.start(List.of(binary.toString(), "-p", root + "/", "-c", "nginx.conf",
                "-e", "logs/error.log"), root, root.resolve("logs/nginx.out"));
        LocalNginx nginx = new LocalNginx(binary, root, port, process);
        try {
            Processes.awaitPort("nginx", process, root.resolve("logs/error.log"), port, START_TIMEOUT);
        } catch (RuntimeException e) {
            Processes.kill(process);
            throw new StartupFailedException(e.getMessage() + "\n" + Processes.tail(root.resolve("logs/nginx.out"), 20), e);
        }
        LOG.info("nginx ready in {} ms on {}, balancing over {}", (System.nanoTime() - started) / 1_000_000,
                nginx.url(), upstreamPorts);
        return nginx;
    }

    /**
     * The nginx.conf for a balancer on 127.0.0.1:{@code port} over 127.0.0.1:{@code upstreamPorts},
     * with {@code limit} on each client's API requests; paths are relative to the prefix.
     */
    static String config(int port, List<Integer> upstreamPorts, RateLimit limit) {
        String servers = upstreamPorts.stream()
                .map(upstream -> "        server " + Processes.LOOPBACK + ":" + upstream + " max_fails=1 fail_timeout=5s;")
                .collect(Collectors.joining("\n"));
        return """
                # Written by dev.stratus.cluster.LocalNginx; every path is under the prefix (nginx -p).
                daemon off;
                worker_processes 1;
                pid nginx.pid;
                error_log logs/error.log warn;

                events {
                    worker_connections 1024;
                }

                http {
                    log_format upstream '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                                        'upstream=$upstream_addr $upstream_response_time request_id=$stratus_request_id';
                    access_log logs/access.log upstream;

                    client_body_temp_path temp/client_body;
                    proxy_temp_path temp/proxy;
                    fastcgi_temp_path temp/fastcgi;
                    uwsgi_temp_path temp/uwsgi;
                    scgi_temp_path temp/scgi;

                    client_max_body_size %s;
                    # Bodies and answers stay in memory: no temp files, which an unprivileged worker
                    # could not write when the master runs as root.
                    client_body_buffer_size %s;
                    proxy_max_temp_file_size 0;

                    # Keep the caller's request id, or make one, so one id follows a request through.
                    map $http_x_request_id $stratus_request_id {
                        default $http_x_request_id;
                        ""      $request_id;
                    }

                    upstream gateways {
                %s
                        keepalive 16;
                    }
                %s
                    server {
                        listen %s:%d;

                        location / {
                            proxy_pass http://gateways;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $http_host;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto $scheme;
                            proxy_set_header X-Request-Id $stratus_request_id;
                            # nginx never repeats a POST on the next gateway unless told to
                            # (non_idempotent): only reads are retried.
                            proxy_next_upstream error timeout;
                            proxy_next_upstream_tries 2;
                            proxy_connect_timeout 2s;
                            proxy_read_timeout 60s;
                            # A gateway that dies holding a request leaves nginx without an answer
                            # (502, or 504 past the read timeout): the caller gets the API's error
                            # shape, 503 with Retry-After, not nginx's HTML page.
                            error_page 502 504 =503 @gateway_lost;
                %s        }

                        location @gateway_lost {
                            default_type application/json;
                            add_header Retry-After 1 always;
                            return 503 '{"error":"gateway_unavailable","detail":"the gateway holding this request stopped before it answered; retry"}';
                        }
                %s    }
                }
                """.formatted(MAX_BODY, MAX_BODY, servers, limitZone(limit), Processes.LOOPBACK, port, limitRequests(limit),
                rateLimited(limit));
    }

    /**
     * The limit's zone: one bucket per client address for {@code /api/} requests (the page, its
     * files are not limited, as at the gateway); an empty key is not counted.
     */
    private static String limitZone(RateLimit limit) {
        if (!limit.enabled()) {
            return "";
        }
        return """

                    map $uri $stratus_api_client {
                        ~^/api/ $binary_remote_addr;
                        default "";
                    }
                    limit_req_zone $stratus_api_client zone=per_client:10m rate=%dr/s;
                    limit_req_status 429;
                    limit_req_log_level warn;
                """.formatted(limit.perSecond());
    }

    private static String limitRequests(RateLimit limit) {
        if (!limit.enabled()) {
            return "";
        }
        return """
                            limit_req zone=per_client burst=%d nodelay;
                            error_page 429 @rate_limited;
                """.formatted(limit.burst());
    }

    /** The gateway's answer to a client over its limit: JSON, with Retry-After. */
    private static String rateLimited(RateLimit limit) {
        if (!limit.enabled()) {
            return "";
        }
        return """

                        location @rate_limited {
                            default_type application/json;
                            add_header Retry-After 1 always;
                            return 429 '{"error":"rate_limited","detail":"more than %d requests per second from this client; retry after 1 s"}';
                        }
                """.formatted(limit.perSecond());
    }

    /** {@code http://127.0.0.1:port}, without a trailing slash. */
    public String url() {
        return "http://" + Processes.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path prefix() {
        return prefix;
    }

    /** The master process's id (the one in nginx.pid). */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops nginx: {@code nginx -s quit} (finish open requests), then SIGKILL to master and workers after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process quit = new ProcessBuilder(binary.toString(), "-p", prefix + "/", "-c", "nginx.conf",
                    "-e", "logs/error.log", "-s", "quit")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(prefix.resolve("logs/nginx.out").toFile()))
                    .start();
            if (!quit.waitFor(5, TimeUnit.SECONDS)) {
                quit.destroyForcibly();
            }
            if (process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            LOG.warn("nginx did not quit within {} s; killing it", STOP_GRACE.toSeconds());
        } catch (IOException e) {
            LOG.warn("cannot run nginx -s quit ({}); stopping it with signals", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Processes.stop(process, Duration.ofSeconds(2));
    }

    /** The nginx executable: the system property {@value #BINARY_PROPERTY}, else {@code nginx} on the PATH, else /usr/sbin/nginx. */
    public static Path binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return requireExecutable(Path.of(configured));
        }
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, "nginx"));
        return Stream.concat(onPath, Stream.of(Path.of("/usr/sbin/nginx")))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "nginx is not installed: run scripts/install-nginx.sh (or set -D" + BINARY_PROPERTY + "=PATH)"));
    }

    private static Path requireExecutable(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("-D" + BINARY_PROPERTY + "=" + binary + " is not an executable");
        }
        return binary;
    }
}
