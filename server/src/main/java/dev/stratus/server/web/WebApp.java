package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.BrokerException;
import dev.stratus.server.pipeline.PipelineClosedException;
import dev.stratus.server.pipeline.PipelineFullException;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.predict.InferenceTimeoutException;
import dev.stratus.server.predict.PredictionService;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface: routes, error mapping, security headers, rate limiting, request metrics and
 * the access log. A plain function of its dependencies, so tests run the real routes.
 */
public final class WebApp {
    private static final Logger LOG = LoggerFactory.getLogger(WebApp.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("stratus.access");
    private static final String API = "/api/v1/predictions";
    private static final int ACCEPT_QUEUE = 2048;
    /**
     * Javalin copies every result to the socket through a buffer of this size, allocated per
     * answer; unset, it is Jetty's 32 KB output buffer, the largest single allocation of a
     * prediction. Answers are ~3 KB; bigger results just take more turns of the copy loop.
     */
    private static final int RESULT_COPY_BUFFER = 4096;
    /** One growable buffer per thread to serialise answers into (see {@link #writeJson}). */
    private static final ThreadLocal<ByteArrayOutputStream> ANSWER_BUFFER =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(8192));
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final List<String> COMPRESSIBLE = List.of("application/json", "application/json;charset=utf-8",
            "text/html", "text/html;charset=utf-8", "text/css", "text/javascript", "application/javascript",
            "text/plain; version=0.0.4; charset=utf-8", "image/svg+xml");
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final ServerConfig settings;
    private final PredictionService service;
    private final InferencePipeline pipeline;
    private final PredictionStore store;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json;
    private final ImageDecoder decoder;
    private final RateLimiter limiter;
    private final byte[] openApi;

    public WebApp(ServerConfig settings, PredictionService service, InferencePipeline pipeline, PredictionStore store,
                  PrometheusMeterRegistry registry, ObjectMapper json) {
        this.settings = settings;
        this.service = service;
        this.pipeline = pipeline;
        this.store = store;
        this.registry = registry;
        this.json = json;
        this.decoder = new ImageDecoder(json);
        this.limiter = new RateLimiter(settings.rateLimit().perSecond(), settings.rateLimit().burst());
        this.openApi = resource("/openapi.json");
    }

    public void configure(JavalinConfig config) {
        config.jetty.host = settings.network().host();
        config.jetty.port = settings.network().port();
        // Jetty's own connector, for a deeper accept queue than Java's default of 50: under a
        // burst of new connections, dropped SYNs come back only after 1, 3, 7 seconds.
        config.jetty.addConnector((server, http) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(settings.network().host());
            connector.setPort(settings.network().port());
            connector.setAcceptQueueSize(ACCEPT_QUEUE);
            return connector;
        });
        config.http.maxRequestSize = settings.network().maxBodyBytes();
        config.http.responseBufferSize = RESULT_COPY_BUFFER;
        // Javalin decides whether an answer may be compressed by searching its type, case-insensitively,
        // for each of a long list of excluded types: measured at ~15 % of the server's CPU per prediction.
        // A type on the allowed list skips that search.
        config.http.compressionStrategy.setAllowedMimeTypes(COMPRESSIBLE);
        config.jsonMapper(new JavalinJackson(json, false));
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/public";
            files.location = Location.CLASSPATH;
        });
        config.startup.showJavalinBanner = false;

        config.routes.before(this::beforeEach);
        config.routes.before("/api/*", this::limitRate);
        config.routes.post(API, this::predict);
        config.routes.get(API + "/{id}", this::find);
        config.routes.put(API + "/{id}/label", this::label);
        config.routes.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        config.routes.get("/health/ready", this::ready);
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
        config.routes.after(this::afterEach);

        config.routes.exception(HttpResponseException.class, this::fail);
        config.routes.exception(Exception.class, this::fail);
        config.routes.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && ctx.result() == null) {
                error(ctx, 404, "not_found", "no such resource: " + ctx.path());
            }
        });
        config.routes.error(405, ctx -> error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on "
                + ctx.path()));
    }

    private void beforeEach(Context ctx) {
        ctx.attribute("startNanos", System.nanoTime());
        String given = ctx.header("X-Request-Id");
        String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.attribute("requestId", requestId);
        ctx.header("X-Request-Id", requestId);
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        long length = ctx.contentLength();
        if (length > settings.network().maxBodyBytes()) {
            throw new HttpResponseException(413, "the body is " + length + " bytes; the limit is "
                    + settings.network().maxBodyBytes() + " bytes");
        }
    }

    private void limitRate(Context ctx) {
        long wait = limiter.acquire(ctx.ip());
        if (wait > 0) {
            throw new TooManyRequests(wait);
        }
    }

    private void afterEach(Context ctx) {
        Long start = ctx.attribute("startNanos");
        if (start == null) {
            return;
        }
        long nanos = System.nanoTime() - start;
        io.javalin.router.Endpoint matched = ctx.endpoints().lastHttpEndpoint();
        String route = matched != null ? matched.path : ctx.path().startsWith("/api/") ? "unmatched" : "static";
        int status = ctx.statusCode();
        Timer.builder("http.server.requests")
                .tags("route", route, "method", ctx.method().name(), "status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("request_id={} client={} method={} path={} status={} micros={}", ctx.attribute("requestId"),
                    ctx.ip(), ctx.method().name(), ctx.path(), status, nanos / 1_000);
        }
    }

    private void predict(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        GreyImage image;
        if (type.startsWith("application/json")) {
            image = decoder.fromJson(ctx.bodyAsBytes());
        } else if (type.startsWith("image/png")) {
            image = decoder.fromPng(ctx.bodyAsBytes());
        } else {
            throw new HttpResponseException(415, "send application/json ({\"pixels\": [...]} or {\"image\": "
                    + "\"data:image/png;base64,...\"}) or image/png, not '" + (type.isEmpty() ? "nothing" : type) + "'");
        }
        ctx.future(() -> service.predict(image).thenAccept(view -> writeJson(ctx, view)));
    }

    private void find(Context ctx) {
        String id = ctx.pathParam("id");
        writeJson(ctx, service.find(id).orElseThrow(() -> new HttpResponseException(404, "no prediction with id " + id)));
    }

    private void label(Context ctx) {
        String id = ctx.pathParam("id");
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            throw new HttpResponseException(415, "send application/json: {\"label\": 0-9}");
        }
        JsonNode body;
        try {
            body = json.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON");
        }
        JsonNode label = body == null ? null : body.get("label");
        if (label == null || !label.isIntegralNumber() || label.asInt() < 0 || label.asInt() > 9) {
            throw new BadInputException("invalid_label", "expected {\"label\": d} with d a whole number 0-9");
        }
        writeJson(ctx, service.label(id, label.asInt())
                .orElseThrow(() -> new HttpResponseException(404, "no prediction with id " + id)));
    }

    private void ready(Context ctx) {
        boolean pipelineReady = pipeline.ready();
        boolean storeReady = store.ready();
        boolean up = pipelineReady && storeReady;
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN",
                "pipeline", pipelineReady ? "UP" : "DOWN", "store", storeReady ? "UP" : "DOWN",
                "queueDepth", pipeline.queueDepth()));
    }

    /** Every failure becomes a JSON error with the right status, here and only here. */
    private void fail(Exception exception, Context ctx) {
        Throwable e = exception;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof BadInputException bad) {
            error(ctx, 400, bad.code(), bad.getMessage());
        } else if (e instanceof PipelineFullException) {
            ctx.header("Retry-After", "1");
            error(ctx, 503, "overloaded", e.getMessage());
        } else if (e instanceof PipelineClosedException) {
            error(ctx, 503, "shutting_down", e.getMessage());
        } else if (e instanceof BrokerException broker) {
            if (broker.kind() == BrokerException.Kind.REFUSED) {
                error(ctx, 502, "broker_refused", e.getMessage());
            } else {
                ctx.header("Retry-After", "5");
                error(ctx, 503, "broker_unavailable", e.getMessage());
            }
        } else if (e instanceof InferenceTimeoutException) {
            error(ctx, 504, "timeout", e.getMessage());
        } else if (e instanceof TooManyRequests limited) {
            ctx.header("Retry-After", Long.toString(limited.retryAfterSeconds));
            error(ctx, 429, "rate_limited", "more than " + settings.rateLimit().perSecond()
                    + " requests per second from this client; retry after " + limited.retryAfterSeconds + " s");
        } else if (e instanceof HttpResponseException http) {
            error(ctx, http.getStatus(), codeFor(http.getStatus()), http.getMessage());
        } else if (e instanceof StoreException) {
            LOG.error("store failure", e);
            error(ctx, 503, "store_unavailable", "the prediction store is unavailable; retry shortly");
        } else {
            LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal_error", "an unexpected error occurred; it has been logged");
        }
    }

    /**
     * Serialises to bytes in one go. Javalin's own {@code ctx.json} streams through a pipe, which
     * costs more than the whole prediction for a few-kilobyte answer; and {@code writeValueAsBytes}
     * grows a fresh chain of blocks each time (9.3 KB allocated for a 3.2 KB answer, against 4.7 KB
     * through this thread's reused buffer).
     */
    private void writeJson(Context ctx, Object body) {
        ByteArrayOutputStream buffer = ANSWER_BUFFER.get();
        buffer.reset();
        try {
            json.writeValue(buffer, body);
            ctx.contentType("application/json").result(buffer.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the answer", e);
        }
    }

    private static void error(Context ctx, int status, String code, String detail) {
        ctx.status(status).json(new ApiError(code, detail));
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebApp.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the server jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /** Over the client's rate: 429 with Retry-After. */
    static final class TooManyRequests extends RuntimeException {
        final long retryAfterSeconds;

        TooManyRequests(long retryAfterSeconds) {
            super(null, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }
}
