package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.server.AdminToken;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.kafka.MeterBoard;
import dev.stratus.server.models.ModelAdmin;
import dev.stratus.server.models.ModelLifecycle;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.predict.NumberService;
import dev.stratus.server.predict.PredictionService;
import dev.stratus.server.predict.PredictionView;
import dev.stratus.server.store.PredictionStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The HTTP surface: which route does what. Predictions are parsed, preprocessed and queued on
 * the connection's event loop and answered from the thread that stored them; whatever may wait
 * on a disk or a network (reads, labels, readiness, the metrics scrape, large images) runs on a
 * small pool of its own. Rate limiting covers {@code /api/*}; errors, headers, metrics and the
 * access log are {@link Responses}' and {@link Failures}'. Numbers have their own routes
 * ({@link NumberRoutes}), taken in the same way.
 *
 * <p>Two ports: the public one serves the page, static files and {@code /api/...} (the page's
 * status pill asks {@code /api/v1/status}: ready or not, and the model); the management one
 * serves {@code /health/*} and {@code /metrics}, for probes and Prometheus, never for the Ingress
 * (readiness and the metrics describe the queue, the store, the JVM and the model: issue 15,
 * finding 4).
 */
public final class WebApp implements AutoCloseable {
    static final String API = "/api/v1/predictions";
    static final String STATUS = "/api/v1/status";
    static final String CONTENT_SECURITY_POLICY = Exchange.CONTENT_SECURITY_POLICY;

    private final ServerConfig settings;
    private final PredictionService service;
    private final InferencePipeline pipeline;
    private final PredictionStore store;
    private final PrometheusMeterRegistry registry;
    private final Bodies bodies;
    private final ObjectMapper json;
    private final RateLimiter limiter;
    private final Responses responses;
    private final Router router = new Router();
    private final Router management = new Router();
    private final StaticFiles files = new StaticFiles("/public");
    private final ExecutorService blocking;
    private final byte[] openApi;
    /** Told the model version of each answer a user's label contradicts. */
    private Consumer<String> corrections = version -> { };

    public WebApp(ServerConfig settings, PredictionService service, NumberService numbers, InferencePipeline pipeline,
                  PredictionStore store, PrometheusMeterRegistry registry, ObjectMapper json) {
        this.settings = settings;
        this.service = service;
        this.pipeline = pipeline;
        this.store = store;
        this.registry = registry;
        this.json = json;
        this.limiter = new RateLimiter(settings.rateLimit().perSecond(), settings.rateLimit().burst());
        this.responses = new Responses(json, registry);
        this.blocking = BlockingPool.create("http-blocking", 4, 1024);
        this.openApi = resource("/openapi.json");
        this.bodies = new Bodies(new ImageDecoder(json), responses, json, this::offloaded);
        router.add(HttpMethod.POST, API, bodies.drawing("application/json ({\"pixels\": [...]}, {\"image\": "
                + "\"data:image/png;base64,...\"} or {\"strokes\": [[[x, y], ...], ...]})", service::predict));
        router.add(HttpMethod.GET, API + "/{id}", offloaded(this::find));
        router.add(HttpMethod.PUT, API + "/{id}/label", offloaded(this::label));
        router.add(HttpMethod.GET, API + "/{id}/why", offloaded(this::why));
        new NumberRoutes(numbers, bodies, responses, this::offloaded).register(router);
        router.add(HttpMethod.GET, STATUS, offloaded(this::status));
        router.add(HttpMethod.GET, "/api/openapi.json", ex -> ex.respond(Responses.OK, Responses.JSON, openApi));
        management.add(HttpMethod.GET, "/health/live", ex -> responses.json(ex, Responses.OK, Map.of("status", "UP")));
        management.add(HttpMethod.GET, "/health/ready", offloaded(this::ready));
        management.add(HttpMethod.GET, "/metrics", offloaded(ex -> ex.respond(Responses.OK,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * Serves {@code /api/v1/models}: the versions of {@code lifecycle}'s registry, or the meters
     * {@code workers} publish (both null: this server's one fixed model) and, with {@code token}
     * set, the changes to a registry through {@code admin} (null: this server changes none).
     */
    public void models(ModelLifecycle lifecycle, MeterBoard workers, ModelAdmin admin, AdminToken token) {
        ModelRoutes routes = new ModelRoutes(lifecycle, workers, admin, token, () -> pipeline.modelVersion().orElse(null), json,
                responses);
        router.add(HttpMethod.GET, ModelRoutes.PATH, offloaded(routes::list));
        router.add(HttpMethod.POST, ModelRoutes.PATH + "/{action}", offloaded(routes::change));
        if (lifecycle != null) {
            corrections = lifecycle.versions()::corrected;
        } else if (workers != null) {
            corrections = workers.corrections()::corrected;
        }
    }

    /** The handler run on the blocking pool instead of the event loop, its failures answered as errors. */
    private Router.Handler offloaded(Router.Handler handler) {
        return ex -> blocking.execute(() -> responses.guard(ex, () -> handler.handle(ex)));
    }

    /** Serves the page and the API on the configured address until closed. */
    public HttpServer listen() throws IOException {
        return serve(settings.network().port(), this::handle);
    }

    /** Serves health and metrics on the management port of the same host until closed. */
    public HttpServer listenManagement() throws IOException {
        try {
            return serve(settings.network().managementPort(), this::handleManagement);
        } catch (IOException e) {
            // A second server on one machine meets the first one's default 8081 here: say which port it is.
            throw new IOException("the management port (--management-port): " + e.getMessage(), e);
        }
    }

    /** A server on the configured host and {@code port} whose requests, each read whole, go to {@code routes}. */
    private HttpServer serve(int port, Consumer<Exchange> routes) throws IOException {
        ServerConfig.Network network = settings.network();
        return HttpServer.start(network.host(), port, network.requestTimeout(),
                () -> new Connection(this, routes, network.maxBodyBytes()));
    }

    /** A management request: its route, else 404 (no page, no API, no rate limit here). */
    private void handleManagement(Exchange exchange) {
        responses.started();
        responses.guard(exchange, () -> {
            if (!management.dispatch(exchange)) {
                throw notFound("the management port serves /health/live, /health/ready and /metrics, not " + exchange.path());
            }
        });
    }

    /** A request read whole: find its route and run it; every failure becomes its JSON error. */
    void handle(Exchange exchange) {
        responses.started();
        responses.guard(exchange, () -> {
            if (exchange.path().startsWith("/api/")) {
                long wait = limiter.acquire(exchange.client());
                if (wait > 0) {
                    throw new Failures.Refused(429, "more than " + settings.rateLimit().perSecond()
                            + " requests per second from this client; retry after " + wait + " s", wait);
                }
            }
            if (!router.dispatch(exchange)) {
                serveFile(exchange);
            }
        });
    }

    /** A request the connection could not read (too large, not HTTP): answered with this status. */
    void refuse(Exchange exchange, int status, String detail) {
        responses.started();
        responses.fail(exchange, new Failures.Refused(status, detail));
    }

    /** A request the client abandoned or sent too slowly; counted, not answered (or answered 408 by the caller). */
    void aborted(String reason) {
        responses.aborted(reason);
    }

    /** Every answer passes here once, on its way to the socket: metrics and the access log. */
    void answered(Exchange exchange, int status) {
        responses.finished(exchange, status);
    }

    /** Waits, at most this long, until every request taken has its answer. */
    public void awaitIdle(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (responses.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void find(Exchange ex) {
        String id = ex.pathParam("id");
        responses.json(ex, Responses.OK, service.find(id).orElseThrow(() -> notFound("no prediction with id " + id)));
    }

    private void why(Exchange ex) {
        String id = ex.pathParam("id");
        responses.json(ex, Responses.OK, service.why(id).orElseThrow(() -> notFound("no prediction with id " + id)));
    }

    private void label(Exchange ex) {
        String id = ex.pathParam("id");
        JsonNode label = bodies.field(ex, "label", "{\"label\": 0-9}");
        // canConvertToInt first: asInt() keeps the low 32 bits, so 4294967303 would read as 7.
        if (label == null || !label.isIntegralNumber() || !label.canConvertToInt()
                || label.intValue() < 0 || label.intValue() > 9) {
            throw new BadInputException("invalid_label", "expected {\"label\": d} with d a whole number 0-9");
        }
        PredictionView labelled = service.label(id, label.intValue(), ex.client())
                .orElseThrow(() -> notFound("no prediction with id " + id));
        if (labelled.digit() != label.intValue()) {
            corrections.accept(labelled.modelVersion());
        }
        responses.json(ex, Responses.OK, labelled);
    }

    /** What the public may know: ready or not, and the model where this process runs it; no queue, no parts. */
    private void status(Exchange ex) {
        boolean up = pipeline.ready() && store.ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ready" : "unavailable");
        pipeline.modelVersion().ifPresent(version -> body.put("modelVersion", version));
        responses.json(ex, up ? Responses.OK : Responses.UNAVAILABLE, body);
    }

    /** The operator's readiness, on the management port: each part and the queue's depth. */
    private void ready(Exchange ex) {
        boolean pipelineReady = pipeline.ready();
        boolean storeReady = store.ready();
        boolean up = pipelineReady && storeReady;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("pipeline", pipelineReady ? "UP" : "DOWN");
        body.put("store", storeReady ? "UP" : "DOWN");
        body.put("queueDepth", pipeline.queueDepth());
        responses.json(ex, up ? Responses.OK : Responses.UNAVAILABLE, body);
    }

    private void serveFile(Exchange ex) {
        if (ex.path().startsWith("/api/")) {
            throw notFound("no such resource: " + ex.path());
        }
        StaticFiles.File file = files.find(ex.path()).orElseThrow(() -> notFound("no such page: " + ex.path()));
        if (ex.method() != HttpMethod.GET && ex.method() != HttpMethod.HEAD) {
            throw new Failures.Refused(405, ex.method() + " is not allowed on " + ex.path());
        }
        ex.matched("static", Map.of());
        if (file.etag().equals(ex.header("If-None-Match"))) {
            ex.respondEmpty(Responses.NOT_MODIFIED, "ETag", file.etag(), "Cache-Control", "no-cache");
        } else {
            ex.respond(Responses.OK, file.type(), file.bytes(), "ETag", file.etag(), "Cache-Control", "no-cache");
        }
    }

    private static Failures.Refused notFound(String detail) {
        return new Failures.Refused(404, detail);
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

    /** Stops the pool (what runs on it finishes within a few seconds) and writes out the access log. */
    @Override
    public void close() {
        BlockingPool.shutdown(blocking);
        responses.close();
    }
}
