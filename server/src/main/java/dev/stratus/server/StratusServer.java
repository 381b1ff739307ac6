package dev.stratus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stratus.server.predict.PredictionService;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.web.WebApp;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/** Creates, starts and stops the app: a backend (pipeline and store) behind the HTTP layer. Nothing else lives here. */
public final class StratusServer implements AutoCloseable {
    private final Javalin app;
    private final Backend backend;
    private final JvmGcMetrics gcMetrics;
    private boolean closed;

    private StratusServer(Javalin app, Backend backend, JvmGcMetrics gcMetrics) {
        this.app = app;
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
            WebApp web = new WebApp(config, service, backend.pipeline(), backend.store(), registry, json());
            Javalin app = Javalin.create(web::configure).start();
            return new StratusServer(app, backend, gcMetrics);
        } catch (RuntimeException e) {
            backend.close();
            gcMetrics.close();
            throw e;
        }
    }

    static ObjectMapper json() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public int port() {
        return app.port();
    }

    public String url() {
        String host = app.unsafe.jetty.host;
        return "http://" + (host == null || "0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + port();
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
        app.stop();
        backend.close();
        gcMetrics.close();
    }
}
