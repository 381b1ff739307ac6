package dev.stratus.server.kafka;

import dev.stratus.server.models.VersionMeters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's side of {@link Topics#METERS}: reads it from the beginning on its own consumer (no
 * group), keeps each worker's latest snapshot (a tombstone removes it), and answers what
 * {@code GET /api/v1/models} shows in Kafka mode: every worker heard from within
 * {@link MeterSnapshot#STALE_AFTER}, and each version's numbers summed over them, with the
 * corrections users sent to this gateway ({@code corrections}).
 */
public final class MeterBoard implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeterBoard.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, byte[]> consumer;
    private final VersionMeters corrections;
    private final Map<String, MeterSnapshot> latest = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public MeterBoard(KafkaSettings settings, String gatewayId, VersionMeters corrections) {
        try (TopicAdmin admin = new TopicAdmin(settings, "gateway-" + gatewayId)) {
            admin.ensureMeters();
        }
        Properties props = KafkaPipeline.consumerProperties(settings, "gateway-" + gatewayId + "-meters");
        props.put("auto.offset.reset", "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.corrections = corrections;
        TopicPartition partition = new TopicPartition(Topics.METERS, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Starts reading on a daemon thread of its own. */
    public MeterBoard start() {
        Thread thread = new Thread(this, "meter-board");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    take(record);
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

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            latest.remove(record.key());
            return;
        }
        try {
            MeterSnapshot snapshot = MeterSnapshot.parse(record.value());
            latest.merge(record.key(), snapshot, (old, next) -> next.at() >= old.at() ? next : old);
        } catch (IOException e) {
            LOG.warn("skipping meter record {} at offset {}: {}", record.key(), record.offset(), e.getMessage());
        }
    }

    /** Where this gateway counts the corrections users send it, by the version that answered. */
    public VersionMeters corrections() {
        return corrections;
    }

    /** The workers heard from within {@link MeterSnapshot#STALE_AFTER} of {@code now}, by id. */
    public List<MeterSnapshot> fresh(long now) {
        return latest.values().stream().filter(s -> now - s.at() <= MeterSnapshot.STALE_AFTER.toMillis())
                .sorted(Comparator.comparing(MeterSnapshot::worker)).toList();
    }

    /** The answer of {@code GET /api/v1/models} on a gateway in front of Kafka workers. */
    public Map<String, Object> view(long now) {
        List<MeterSnapshot> workers = fresh(now);
        Map<String, List<Map<String, Object>>> lives = new TreeMap<>();
        Map<String, List<Map<String, Object>>> shadows = new TreeMap<>();
        List<Map<String, Object>> perWorker = new ArrayList<>();
        for (MeterSnapshot s : workers) {
            s.versions().forEach((version, live) -> lives.computeIfAbsent(version, v -> new ArrayList<>()).add(live));
            s.shadows().forEach((version, sh) -> shadows.computeIfAbsent(version, v -> new ArrayList<>()).add(sh));
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("worker", s.worker());
            w.put("ageSeconds", Math.max(0, now - s.at()) / 1000.0);
            w.put("active", s.active());
            w.put("shadow", s.shadow());
            w.put("loaded", s.loaded());
            w.put("versions", s.versions());
            w.put("shadows", s.shadows());
            perWorker.add(w);
        }
        TreeSet<String> serving = new TreeSet<>();
        workers.forEach(s -> serving.add(s.active()));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("managed", false);
        if (!serving.isEmpty()) {
            view.put("serving", String.join(",", serving));
        }
        view.put("detail", "the Kafka workers classify: their meters as each publishes them on " + Topics.METERS
                + " every " + MeterSnapshot.INTERVAL.toSeconds() + " s (workers silent for "
                + MeterSnapshot.STALE_AFTER.toSeconds() + " s left out), per worker and summed; change versions with "
                + "the admin routes of a gateway given a registry, or 'stratus models' and 'stratus publish-models'");
        List<Map<String, Object>> versions = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(lives.keySet());
        all.addAll(corrections.versions());
        for (String version : all) {
            long corrected = ((Number) corrections.live(version).get("corrections")).longValue();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", version);
            v.put("live", MeterSnapshot.sum(lives.getOrDefault(version, List.of()), corrected));
            versions.add(v);
        }
        view.put("versions", versions);
        view.put("workers", perWorker);
        if (!shadows.isEmpty()) {
            String version = shadows.keySet().iterator().next();
            view.put("shadowAgreement", MeterSnapshot.sumShadow(version, shadows.get(version)));
        }
        return view;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
