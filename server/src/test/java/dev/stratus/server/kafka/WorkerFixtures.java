package dev.stratus.server.kafka;

import dev.stratus.core.image.DigitImage;
import dev.stratus.server.Digits;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/** Requests as gateways produce them (real MNIST digits), and a store that can be switched off. */
final class WorkerFixtures {
    private WorkerFixtures() {
    }

    static DigitImage image(int index) {
        float[] pixels = new float[784];
        for (int i = 0; i < 784; i++) {
            pixels[i] = (Digits.mnist().pixels()[index * 784 + i] & 0xff) / 255f;
        }
        return new DigitImage(pixels);
    }

    /** The request for MNIST test digit {@code index} at {@code offset} of partition {@code partition}. */
    static ConsumerRecord<String, byte[]> request(int partition, long offset, int index) {
        String id = "req-" + partition + "-" + offset;
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(Topics.REQUESTS, partition, offset, id,
                DigitMessages.request(image(index)));
        record.headers().add(Topics.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.REPLY_TO, Topics.repliesFor("gw1").getBytes(StandardCharsets.UTF_8));
        return record;
    }

    static ConsumerRecords<String, byte[]> batch(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new java.util.LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
                    .add(record);
        }
        return new ConsumerRecords<>(byPartition, Map.of());
    }

    /** An in-memory store; while {@code down}, every write fails as an unreachable CouchDB would. */
    static class MemoryStore implements PredictionStore {
        final Map<String, PredictionRecord> records = new ConcurrentHashMap<>();
        volatile boolean down;
        volatile int failedWrites;

        @Override
        public void save(PredictionRecord record) {
            saveAll(List.of(record));
        }

        @Override
        public void saveAll(List<PredictionRecord> batch) {
            if (down) {
                failedWrites++;
                throw new StoreException("the store is down", null);
            }
            batch.forEach(r -> records.put(r.id(), r));
        }

        @Override
        public Optional<PredictionRecord> find(String id) {
            return Optional.ofNullable(records.get(id));
        }

        @Override
        public Optional<PredictionRecord> label(String id, int label) {
            return Optional.empty();
        }

        @Override
        public void forEachLabelled(Consumer<PredictionRecord> action) {
        }

        @Override
        public boolean ready() {
            return !down;
        }

        @Override
        public void close() {
        }
    }
}
