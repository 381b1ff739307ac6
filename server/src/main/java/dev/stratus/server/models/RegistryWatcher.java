package dev.stratus.server.models;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.RegistryState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ModelRouter} serving what the registry says. Every {@code interval} it reads
 * {@code registry.json}; when the active version, the canary or the shadow changed, it loads each
 * new version beside the ones serving, warms it (small and large batches through ONNX Runtime),
 * runs its smoke test, and only then swaps the router. A version that does not load or fails its
 * smoke test is refused: the models serving keep serving, the refusal is logged and counted, and
 * the same state is not retried until the registry changes again.
 */
public final class RegistryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWatcher.class);

    private final ModelRegistry registry;
    private final ModelRouter router;
    private final OnnxClassifier.Threads threads;
    private final Counter swaps;
    private final Counter refusals;
    private final ScheduledExecutorService timer;
    private Wanted serving;
    private Wanted refused;
    private String lastRefusal;

    /** The versions a registry state asks for. */
    private record Wanted(String active, String canary, double share, String shadow) {
        static Wanted of(RegistryState state) {
            return new Wanted(state.active(), state.canary() == null ? null : state.canary().version(),
                    state.canary() == null ? 0 : state.canary().share(), state.shadow());
        }
    }

    public RegistryWatcher(ModelRegistry registry, ModelRouter router, OnnxClassifier.Threads threads,
                           MeterRegistry meters) {
        this.registry = registry;
        this.router = router;
        this.threads = threads;
        this.swaps = Counter.builder("stratus.model.swaps").description("Routing changes made from the registry")
                .register(meters);
        this.refusals = Counter.builder("stratus.model.refusals")
                .description("Registry states refused because a model did not load or failed its smoke test")
                .register(meters);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the registry's active version: the model a server starts with. */
    public static Model initial(ModelRegistry registry, OnnxClassifier.Threads threads) throws IOException {
        try {
            return registry.load(registry.state().active(), threads);
        } catch (RegistryException e) {
            throw new IOException(registry.root() + ": the active version cannot serve: " + e.getMessage(), e);
        }
    }

    /** Checks now, then every {@code interval}, until closed. */
    public RegistryWatcher start(Duration interval) {
        serving = new Wanted(router.activeVersion(), null, 0, null);
        check();
        timer.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The last refusal's reason, if the registry asks for something this server refused. */
    public synchronized Optional<String> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    /** Brings the router in line with the registry; true when it swapped. */
    public synchronized boolean check() {
        RegistryState state;
        try {
            state = registry.state();
        } catch (IOException e) {
            LOG.warn("the model registry cannot be read; the models serving keep serving: {}", e.getMessage());
            return false;
        }
        Wanted wanted = Wanted.of(state);
        if (wanted.equals(serving)) {
            refused = null;
            lastRefusal = null;
            return false;
        }
        if (wanted.equals(refused)) {
            return false;
        }
        try {
            router.swapTo(wanted.active(), wanted.canary(), wanted.share(), wanted.shadow(), this::load);
            serving = wanted;
            refused = null;
            lastRefusal = null;
            swaps.increment();
            LOG.info("models now serving: {}", router.loadedVersions());
            return true;
        } catch (IOException | RegistryException | RuntimeException e) {
            refused = wanted;
            lastRefusal = e.getMessage();
            refusals.increment();
            LOG.error("model registry state refused, the models serving keep serving: {}", e.getMessage());
            return false;
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.error("checking the model registry failed", e);
        }
    }

    /** A new instance of {@code version}, loaded, warmed and smoke-tested. */
    private Model load(String version, List<Model> loaded) throws IOException, RegistryException {
        Model model = registry.load(version, threads);
        loaded.add(model);
        ModelCheck.warmAndCheck(model, registry.smokeTest());
        return model;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RegistryWatcher[" + registry.root() + ", serving " + Objects.toString(serving) + "]";
    }
}
