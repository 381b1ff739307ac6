package dev.stratus.server.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryState;
import dev.stratus.core.model.registry.SmokeTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The model control topic ({@link Topics#MODELS}, compacted, one partition): how a registry's
 * state reaches workers on any machine. Three kinds of record, by key:
 * <ul>
 *   <li>{@code model/VERSION}: the card and the ONNX file ({@code [int card length][card][onnx]});</li>
 *   <li>{@code smoke-sample}: the registry's smoke-test digits ({@code [int count][pixels][labels]});</li>
 *   <li>{@code routing}: JSON {@code {"active", "canary": {"version", "share"}, "shadow"}}.</li>
 * </ul>
 * Compaction keeps the latest record of each key, so a worker that starts reads the topic from
 * the beginning and knows every model and the routing without a shared file system. Models are
 * written before the routing that names them.
 */
public final class ModelControl {
    public static final String ROUTING = "routing";
    public static final String SMOKE_SAMPLE = "smoke-sample";
    public static final String MODEL_PREFIX = "model/";
    /** The largest control record: a model of up to 8 MB. */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelControl() {
    }

    /** The routing a worker follows. */
    public record Routing(String active, String canary, double share, String shadow) {
        static Routing parse(byte[] value) throws IOException {
            JsonNode json = JSON.readTree(value);
            if (json == null || !json.hasNonNull("active")) {
                throw new IOException("a routing record names its active version");
            }
            JsonNode canary = json.get("canary");
            boolean hasCanary = canary != null && canary.hasNonNull("version");
            return new Routing(json.get("active").asText(), hasCanary ? canary.get("version").asText() : null,
                    hasCanary ? canary.get("share").asDouble() : 0,
                    json.hasNonNull("shadow") ? json.get("shadow").asText() : null);
        }

        Set<String> versions() {
            Set<String> all = new LinkedHashSet<>();
            all.add(active);
            if (canary != null) {
                all.add(canary);
            }
            if (shadow != null) {
                all.add(shadow);
            }
            return all;
        }
    }

    /** A model record's two files. */
    record ModelFiles(byte[] card, byte[] onnx) {
        static ModelFiles parse(byte[] value) {
            ByteBuffer in = ByteBuffer.wrap(value);
            int cardLength = in.getInt();
            if (cardLength < 0 || cardLength > in.remaining()) {
                throw new IllegalArgumentException("a model record's card length is " + cardLength);
            }
            byte[] card = new byte[cardLength];
            in.get(card);
            byte[] onnx = new byte[in.remaining()];
            in.get(onnx);
            return new ModelFiles(card, onnx);
        }
    }

    static LabeledImages parseSample(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        int count = in.getInt();
        if (count <= 0 || in.remaining() != count * 785) {
            throw new IllegalArgumentException("a smoke sample of " + count + " digits needs " + count * 785 + " bytes");
        }
        byte[] pixels = new byte[count * 784];
        byte[] labels = new byte[count];
        in.get(pixels).get(labels);
        return new LabeledImages(28, 28, pixels, labels);
    }

    /**
     * Publishes what {@code registry}'s state asks workers to serve: the smoke sample, the files
     * of the active, canary, shadow and previous versions, then the routing; each acknowledged by
     * the cluster within the settings' request timeout. Returns the routing published.
     */
    public static Routing publish(ModelRegistry registry, KafkaSettings settings, String clientId) throws IOException {
        try (TopicAdmin admin = new TopicAdmin(settings, clientId)) {
            admin.ensureModels();
        }
        try (KafkaProducer<String, byte[]> producer = producer(settings, clientId)) {
            return publish(registry, producer, settings, new HashSet<>());
        }
    }

    /** A producer that takes control records: large, compressed. */
    static KafkaProducer<String, byte[]> producer(KafkaSettings settings, String clientId) {
        Properties props = KafkaPipeline.producerProperties(settings, clientId);
        props.put("max.request.size", Integer.toString(MAX_RECORD_BYTES + 65_536));
        props.put("compression.type", "lz4");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** The routing {@code state} asks for. */
    static Routing routing(RegistryState state) {
        return new Routing(state.active(), state.canary() == null ? null : state.canary().version(),
                state.canary() == null ? 0 : state.canary().share(), state.shadow());
    }

    /**
     * As above through {@code producer}, leaving out the records named in {@code sent} (keys this
     * producer already had acknowledged: versions never change once registered) and adding the
     * ones it sends.
     */
    static Routing publish(ModelRegistry registry, KafkaProducer<String, byte[]> producer, KafkaSettings settings,
                           Set<String> sent) throws IOException {
        RegistryState state = registry.state();
        Routing routing = routing(state);
        Set<String> versions = new LinkedHashSet<>(routing.versions());
        if (state.previous() != null && !state.retired().contains(state.previous())) {
            versions.add(state.previous());
        }
        try {
            List<Future<RecordMetadata>> pending = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            var smoke = registry.smokeTest();
            if (smoke.isPresent() && !sent.contains(SMOKE_SAMPLE)) {
                pending.add(producer.send(new ProducerRecord<>(Topics.MODELS, SMOKE_SAMPLE, sample(smoke.get()))));
                keys.add(SMOKE_SAMPLE);
            }
            for (String version : versions) {
                if (!sent.contains(MODEL_PREFIX + version)) {
                    pending.add(producer.send(new ProducerRecord<>(Topics.MODELS, MODEL_PREFIX + version,
                            files(registry.entry(version).directory()))));
                    keys.add(MODEL_PREFIX + version);
                }
            }
            await(pending, settings);
            sent.addAll(keys);
            ObjectNode json = JSON.createObjectNode().put("active", routing.active());
            if (routing.canary() != null) {
                json.putObject("canary").put("version", routing.canary()).put("share", routing.share());
            }
            json.put("shadow", routing.shadow());
            await(List.of(producer.send(new ProducerRecord<>(Topics.MODELS, ROUTING, JSON.writeValueAsBytes(json)))),
                    settings);
        } catch (dev.stratus.core.model.registry.RegistryException e) {
            throw new IOException(e.getMessage(), e);
        }
        return routing;
    }

    private static void await(List<Future<RecordMetadata>> sent, KafkaSettings settings) throws IOException {
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw new IOException("Kafka at " + settings.bootstrapServers() + " did not take the model control records: "
                    + e.getMessage(), e);
        }
    }

    private static byte[] files(Path dir) throws IOException {
        byte[] card = Files.readAllBytes(dir.resolve(ModelContract.CARD_FILE));
        byte[] onnx = Files.readAllBytes(dir.resolve(ModelContract.MODEL_FILE));
        if (card.length + onnx.length > MAX_RECORD_BYTES) {
            throw new IOException(dir + ": " + (card.length + onnx.length) + " bytes, more than a control record holds ("
                    + MAX_RECORD_BYTES + ")");
        }
        return ByteBuffer.allocate(4 + card.length + onnx.length).putInt(card.length).put(card).put(onnx).array();
    }

    private static byte[] sample(SmokeTest smoke) {
        LabeledImages s = smoke.sample();
        return ByteBuffer.allocate(4 + s.pixels().length + s.labels().length).putInt(s.count()).put(s.pixels())
                .put(s.labels()).array();
    }
}
