package dev.stratus.server.kafka;

import dev.stratus.core.image.DigitImage;
import dev.stratus.server.Digits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/** Requests as gateways produce them (real MNIST digits). */
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
}
