package dev.stratus.server.models;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.RegistryState;
import dev.stratus.core.model.registry.SmokeTest;
import dev.stratus.core.image.Preprocessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
        List<Model> loadedHere = new ArrayList<>();
        try {
            Model active = model(wanted.active(), loadedHere);
            Model canary = wanted.canary() == null ? null : model(wanted.canary(), loadedHere);
            Model shadow = wanted.shadow() == null ? null : model(wanted.shadow(), loadedHere);
            router.swap(active, canary, wanted.share(), shadow);
            serving = wanted;
            refused = null;
            lastRefusal = null;
            swaps.increment();
            LOG.info("models now serving: active {}{}{}", wanted.active(),
                    canary == null ? "" : ", canary " + wanted.canary() + " at " + wanted.share(),
                    shadow == null ? "" : ", shadow " + wanted.shadow());
            return true;
        } catch (IOException | RegistryException | RuntimeException e) {
            loadedHere.forEach(Model::close);
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

    /** The serving instance of {@code version}, or a new one loaded, warmed and smoke-tested. */
    private Model model(String version, List<Model> loadedHere) throws IOException, RegistryException {
        Optional<Model> kept = router.loaded(version);
        if (kept.isPresent()) {
            return kept.get();
        }
        for (Model m : loadedHere) {
            if (m.version().equals(version)) {
                return m;
            }
        }
        Model model = registry.load(version, threads);
        loadedHere.add(model);
        Optional<SmokeTest> smoke = registry.smokeTest();
        if (smoke.isPresent()) {
            warm(model, smoke.get().sample());
            SmokeTest.Result result = smoke.get().check(model);
            if (!result.passed()) {
                throw new RegistryException(result.message());
            }
            LOG.info("model {} loaded: {}", version, result.message());
        }
        return model;
    }

    /** Runs the sizes of batch serving sees through the new sessions, so its first requests are not its slowest. */
    private static void warm(Model model, LabeledImages sample) {
        Preprocessor preprocessor = new Preprocessor();
        List<DigitImage> digits = new ArrayList<>(64);
        for (int i = 0; i < Math.min(64, sample.count()); i++) {
            digits.add(preprocessor.apply(sample.image(i)));
        }
        for (int size : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            for (int round = 0; round < 3; round++) {
                model.classifier().classifyBatch(digits.subList(0, Math.min(size, digits.size())));
            }
        }
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
