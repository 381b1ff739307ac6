package dev.stratus.server.kafka;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference worker: one member of the {@code stratus-workers} consumer group. Each poll is a
 * micro-batch: undecodable messages go to the dead-letter topic, the rest are classified in one
 * call, stored (one bulk write; a redelivered request overwrites nothing), answered on the
 * gateway's reply topic, and only then committed. At least once, with idempotent effects; a bad
 * message never stops the loop; a store outage pauses consumption until the store is back.
 */
public final class InferenceWorker implements Runnable, AutoCloseable {
    public static final String GROUP = "stratus-workers";
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Model model;
    private final PredictionStore store;
    private final Counter processed;
    private final Counter deadLetters;
    private final Counter storeRetries;
    private volatile boolean running = true;
    private volatile boolean polling;

    public InferenceWorker(KafkaSettings settings, String workerId, Model model, PredictionStore store, int maxBatch,
                           MeterRegistry registry) {
        this.model = model;
        this.store = store;
        try (TopicAdmin admin = new TopicAdmin(settings, "worker-" + workerId)) {
            admin.ensureShared();
        }
        Properties consumerProps = settings.common("worker-" + workerId);
        consumerProps.put("group.id", GROUP);
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("max.poll.records", Integer.toString(maxBatch));
        consumerProps.put("fetch.max.wait.ms", "5");
        consumerProps.put("partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        // A dead worker's partitions move after 10 s instead of the default 45 s (overridable by
        // STRATUS_KAFKA_SESSION_TIMEOUT_MS).
        consumerProps.putIfAbsent("session.timeout.ms", "10000");
        consumerProps.putIfAbsent("heartbeat.interval.ms", "2000");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaPipeline.producerProperties(settings, "worker-" + workerId + "-out"),
                new StringSerializer(), new ByteArraySerializer());
        this.processed = Counter.builder("stratus.worker.processed").register(registry);
        this.deadLetters = Counter.builder("stratus.worker.dead.letters").register(registry);
        this.storeRetries = Counter.builder("stratus.worker.store.retries").register(registry);
    }

    /** A decoded request: where it came from and where its answer goes. */
    private record Job(ConsumerRecord<String, byte[]> record, String id, DigitImage image, String replyTo) {
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(Topics.REQUESTS));
        try {
            while (running) {
                polling = true;
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    processOrRewind(records);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop; the current batch was finished or not committed.
        } finally {
            polling = false;
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * A failure that is not the message's fault (a rebalance, a broker moving) must neither stop
     * the loop nor skip the batch: rewind to its first offsets and take it again.
     */
    private void processOrRewind(ConsumerRecords<String, byte[]> records) {
        try {
            process(records);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("a batch of {} failed; it will be processed again", records.count(), e);
            for (TopicPartition partition : records.partitions()) {
                if (consumer.assignment().contains(partition)) {
                    consumer.seek(partition, records.records(partition).get(0).offset());
                }
            }
            sleep(500);
        }
    }

    void process(ConsumerRecords<String, byte[]> records) {
        List<Job> jobs = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                jobs.add(decode(record));
            } catch (IllegalArgumentException e) {
                deadLetter(record, e.getMessage());
            }
        }
        long start = System.nanoTime();
        List<Prediction> predictions = model.classifier().classifyBatch(jobs.stream().map(Job::image).toList());
        long inferenceMicros = (System.nanoTime() - start) / 1_000;
        Instant now = Instant.now();
        List<PredictionRecord> results = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Prediction p = predictions.get(i);
            results.add(new PredictionRecord(jobs.get(i).id(), now, model.version(), p.digit(), p.probabilities(),
                    jobs.get(i).image().toUnsignedBytes(), null, null));
        }
        if (!storeUntilDone(results)) {
            return;
        }
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (job.replyTo() != null) {
                long queueMicros = Math.max(0, (now.toEpochMilli() - job.record().timestamp()) * 1_000);
                DigitMessages.Reply reply = new DigitMessages.Reply(job.id(), predictions.get(i).digit(),
                        predictions.get(i).probabilities(), model.version(), queueMicros, inferenceMicros, jobs.size());
                ProducerRecord<String, byte[]> out = new ProducerRecord<>(job.replyTo(), job.id(), DigitMessages.reply(reply));
                out.headers().add(Topics.CORRELATION_ID, job.id().getBytes(StandardCharsets.UTF_8));
                producer.send(out);
            }
        }
        producer.flush();
        processed.increment(jobs.size());
        commit(records);
    }

    private Job decode(ConsumerRecord<String, byte[]> record) {
        String id = header(record, Topics.CORRELATION_ID);
        if (id == null) {
            id = record.key();
        }
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("no usable request id");
        }
        String replyTo = header(record, Topics.REPLY_TO);
        if (replyTo != null && !replyTo.startsWith(Topics.REPLIES_PREFIX)) {
            throw new IllegalArgumentException("reply-to '" + replyTo + "' is not a reply topic");
        }
        return new Job(record, id, DigitMessages.image(record.value()), replyTo);
    }

    /** Stores the batch, retrying with backoff while the store is down; false if stopped meanwhile. */
    private boolean storeUntilDone(List<PredictionRecord> results) {
        long backoff = 200;
        while (true) {
            try {
                store.saveAll(results);
                if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                return true;
            } catch (StoreException e) {
                storeRetries.increment();
                LOG.warn("storing {} predictions failed ({}); retrying in {} ms, not committing", results.size(),
                        e.getMessage(), backoff);
                if (!running) {
                    return false;
                }
                // Paused polling keeps this member in the group without taking new work.
                consumer.pause(consumer.assignment());
                consumer.poll(Duration.ofMillis(backoff));
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void commit(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(partition);
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions are moving; whoever owns them next processes these again: harmless,
            // the effects are idempotent.
            LOG.warn("offsets not committed during a rebalance: {}", e.getMessage());
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.increment();
        LOG.warn("dead letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTERS, record.key(), record.value());
        for (Header h : record.headers()) {
            out.headers().add(h);
        }
        out.headers().add(Topics.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.DLQ_SOURCE, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        producer.send(out);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean ready() {
        return running && polling;
    }

    /** Finishes the current batch, commits, leaves the group. Call from another thread. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
