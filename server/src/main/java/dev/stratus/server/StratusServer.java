package dev.stratus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.MicroBatchingPipeline;
import dev.stratus.server.predict.PredictionService;
import dev.stratus.server.store.H2PredictionStore;
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

/** Creates, starts and stops the embedded app: model, pipeline, store, HTTP. Nothing else lives here. */
public final class StratusServer implements AutoCloseable {
    private final Javalin app;
    private final Model model;
    private final InferencePipeline pipeline;
    private final PredictionStore store;
    private final JvmGcMetrics gcMetrics;

    private StratusServer(Javalin app, Model model, InferencePipeline pipeline, PredictionStore store,
                          JvmGcMetrics gcMetrics) {
        this.app = app;
        this.model = model;
        this.pipeline = pipeline;
        this.store = store;
        this.gcMetrics = gcMetrics;
    }

    public static StratusServer start(ServerConfig config) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);

        Model model = Model.resolve(config.modelDirectory(), System.getenv(), OnnxClassifier.Threads.DEFAULT);
        PredictionStore store = null;
        InferencePipeline pipeline = null;
        try {
            store = H2PredictionStore.open(config.dataDirectory());
            pipeline = new MicroBatchingPipeline(model, config.queueCapacity(), config.maxBatch(), config.batchDelay(),
                    registry);
            registry.gauge("stratus.model.loaded", model, m -> 1);
            PredictionService service = new PredictionService(pipeline, store, config.inferenceTimeout());
            WebApp web = new WebApp(config, service, pipeline, store, registry, json());
            Javalin app = Javalin.create(web::configure).start();
            return new StratusServer(app, model, pipeline, store, gcMetrics);
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.close();
            }
            if (store != null) {
                store.close();
            }
            model.close();
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
        return "http://" + ("0.0.0.0".equals(app.unsafe.jetty.host) ? "127.0.0.1" : app.unsafe.jetty.host) + ":" + port();
    }

    public String modelVersion() {
        return model.version();
    }

    public PredictionStore store() {
        return store;
    }

    @Override
    public void close() {
        app.stop();
        pipeline.close();
        store.close();
        model.close();
        gcMetrics.close();
    }
}
