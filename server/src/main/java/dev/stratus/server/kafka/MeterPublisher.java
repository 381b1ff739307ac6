package dev.stratus.server.kafka;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's side of {@link Topics#METERS}: every {@link MeterSnapshot#INTERVAL} it publishes
 * its latest snapshot under its id, and on close a tombstone, so that gateways drop it at once
 * instead of after {@link MeterSnapshot#STALE_AFTER}. A send that fails is logged and the next
 * one tries again: meters never stop a worker.
 */
public final class MeterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeterPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String workerId;
    private final Supplier<MeterSnapshot> snapshot;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meter-publisher");
        t.setDaemon(true);
        return t;
    });

    /** Starts publishing {@code snapshot} every {@code interval}. */
    public MeterPublisher(KafkaSettings settings, String workerId, Supplier<MeterSnapshot> snapshot, Duration interval) {
        try (TopicAdmin admin = new TopicAdmin(settings, "worker-" + workerId)) {
            admin.ensureMeters();
        }
        this.producer = new KafkaProducer<>(KafkaPipeline.producerProperties(settings, "worker-" + workerId + "-meters"),
                new StringSerializer(), new ByteArraySerializer());
        this.workerId = workerId;
        this.snapshot = snapshot;
        timer.scheduleAtFixedRate(this::publish, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        try {
            producer.send(new ProducerRecord<>(Topics.METERS, workerId, snapshot.get().json()), (metadata, failure) -> {
                if (failure != null) {
                    LOG.warn("the meter snapshot of worker {} was not published: {}", workerId, failure.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("the meter snapshot of worker {} was not published: {}", workerId, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.METERS, workerId, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("the tombstone of worker {} was not published: {}", workerId, e.getMessage());
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
