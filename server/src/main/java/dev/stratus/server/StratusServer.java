package dev.stratus.server;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stratus.server.predict.NumberService;
import dev.stratus.server.predict.PredictionService;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.web.HttpServer;
import dev.stratus.server.web.WebApp;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/** Creates, starts and stops the app: a backend (pipeline and store) behind the HTTP layer. Nothing else lives here. */
public final class StratusServer implements AutoCloseable {
    /** How long requests already taken may take to finish when the server stops. */
    private static final long DRAIN_MILLIS = 5_000;

    private final HttpServer http;
    private final HttpServer management;
    private final WebApp web;
    private final Backend backend;
    private final JvmGcMetrics gcMetrics;
    private boolean closed;

    private StratusServer(HttpServer http, HttpServer management, WebApp web, Backend backend, JvmGcMetrics gcMetrics) {
        this.http = http;
        this.management = management;
        this.web = web;
        this.backend = backend;
        this.gcMetrics = gcMetrics;
    }

    /** The app in embedded mode: the model in this JVM, predictions in an H2 file. */
    public static StratusServer start(ServerConfig config) throws IOException {
        return start(config, Backend.embedded(config));
    }

    public static StratusServer start(ServerConfig config, Backend.Factory backends) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);

        Backend backend = backends.create(registry);
        try {
            PredictionService service = new PredictionService(backend.pipeline(), backend.store(),
                    config.queue().timeout());
            NumberService numbers = new NumberService(backend.pipeline(), backend.store().numbers(),
                    config.queue().timeout(), registry);
            WebApp web = new WebApp(config, service, numbers, backend.pipeline(), backend.store(), registry, json());
            web.models(backend.models(), backend.workers(), backend.admin(), config.admin());
            try {
                HttpServer management = web.listenManagement();
                try {
                    return new StratusServer(web.listen(), management, web, backend, gcMetrics);
                } catch (IOException | RuntimeException e) {
                    management.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                web.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            backend.close();
            gcMetrics.close();
            throw e;
        }
    }

    /**
     * The answers' JSON. Floats are written with Jackson's own shortest-digits writer (Schubfach):
     * Java 17's Float.toString builds big integers and strings for each of an answer's 13 numbers.
     */
    static ObjectMapper json() {
        return JsonMapper.builder()
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return url(http);
    }

    /** Where health and metrics are served (probes, Prometheus). */
    public String managementUrl() {
        return url(management);
    }

    private static String url(HttpServer server) {
        String host = server.host();
        return "http://" + (host == null || "0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + server.port();
    }

    /** What serves the predictions, in words, for the start-up log. */
    public String description() {
        return backend.description();
    }

    public PredictionStore store() {
        return backend.store();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Stop taking connections, let the requests already taken be answered, then stop the rest.
        http.stopAccepting();
        web.awaitIdle(DRAIN_MILLIS);
        http.close();
        management.close();
        backend.close();
        web.close();
        gcMetrics.close();
    }
}
