package dev.stratus.server.kafka;

import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.core.model.registry.SmokeTest;
import dev.stratus.server.models.ModelCheck;
import dev.stratus.server.models.ModelRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's side of the model control topic: reads {@link Topics#MODELS} from the beginning, on
 * its own consumer (no group: every worker reads all of it), keeps the models' files and the
 * smoke sample it finds, and when the routing names versions other than those serving, loads
 * them, warms them and runs their smoke test, then swaps the worker's {@link ModelRouter}. A
 * version that does not load or fails is refused: the models serving keep serving until the
 * next routing record.
 */
public final class ModelFollower implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, byte[]> consumer;
    private final ModelRouter router;
    private final Counter swaps;
    private final Counter refusals;
    private final Map<String, ModelControl.ModelFiles> files = new HashMap<>();
    private SmokeTest smoke;
    private ModelControl.Routing wanted;
    private ModelControl.Routing serving;
    private ModelControl.Routing refused;
    private volatile boolean running = true;

    public ModelFollower(KafkaSettings settings, String workerId, ModelRouter router, MeterRegistry meters) {
        Properties props = settings.common("worker-" + workerId + "-models");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("max.partition.fetch.bytes", Integer.toString(ModelControl.MAX_RECORD_BYTES + 65_536));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.router = router;
        this.swaps = Counter.builder("stratus.model.swaps").description("Routing changes made from the control topic")
                .register(meters);
        this.refusals = Counter.builder("stratus.model.refusals")
                .description("Routings refused because a model did not load or failed its smoke test").register(meters);
        try (TopicAdmin admin = new TopicAdmin(settings, "worker-" + workerId)) {
            admin.ensureModels();
        }
        TopicPartition partition = new TopicPartition(Topics.MODELS, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    @Override
    public void run() {
        try {
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    changed |= take(record);
                }
                if (changed) {
                    apply();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Records one control record; true when the routing may have to change. A bad record is logged and skipped. */
    private boolean take(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        try {
            if (key == null || record.value() == null) {
                return false;
            } else if (key.equals(ModelControl.ROUTING)) {
                wanted = ModelControl.Routing.parse(record.value());
                return true;
            } else if (key.equals(ModelControl.SMOKE_SAMPLE)) {
                smoke = new SmokeTest(ModelControl.parseSample(record.value()), SmokeTest.TOLERANCE);
                return false;
            } else if (key.startsWith(ModelControl.MODEL_PREFIX)) {
                files.put(key.substring(ModelControl.MODEL_PREFIX.length()), ModelControl.ModelFiles.parse(record.value()));
                return wanted != null;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping control record {} at offset {}: {}", key, record.offset(), e.getMessage());
        }
        return false;
    }

    private void apply() {
        if (wanted == null || wanted.equals(serving) || wanted.equals(refused)) {
            return;
        }
        if (!files.keySet().containsAll(wanted.versions())) {
            return;  // the models are published before the routing; wait for them
        }
        try {
            router.swapTo(wanted.active(), wanted.canary(), wanted.share(), wanted.shadow(), this::load);
            serving = wanted;
            refused = null;
            swaps.increment();
            LOG.info("models now serving (control topic): {}", router.loadedVersions());
        } catch (IOException | RegistryException | RuntimeException e) {
            refused = wanted;
            refusals.increment();
            LOG.error("routing {} refused, the models serving keep serving: {}", wanted, e.getMessage());
        }
    }

    /** A new instance of {@code version} from its control record, warmed and smoke-tested. */
    private Model load(String version, List<Model> loaded) throws ModelLoadException, RegistryException {
        ModelControl.ModelFiles model = files.get(version);
        Model instance = Model.of(model.card(), model.onnx(), "control record " + version, OnnxClassifier.Threads.SERVING);
        loaded.add(instance);
        if (!instance.version().equals(version)) {
            throw new RegistryException("control record model/" + version + " holds a model whose card says "
                    + instance.version());
        }
        ModelCheck.warmAndCheck(instance, Optional.ofNullable(smoke));
        return instance;
    }

    /** The versions this worker serves now. */
    public List<String> serving() {
        return router.loadedVersions();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
