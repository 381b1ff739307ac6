package dev.stratus.server.kafka;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.server.predict.PredictionIds;
import dev.stratus.server.store.CouchDbPredictionStore;
import dev.stratus.server.store.CouchDbSettings;
import dev.stratus.server.store.PredictionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The latency of each hop a prediction makes through the distributed pipeline, one message at a
 * time on the cluster at hand. A prediction crosses Kafka twice (request, reply) and is written
 * to CouchDB once, so the sum of those medians is a floor under every end-to-end answer that no
 * batching or tuning above them can go below. A third hop, Kafka with one replica, {@code acks=1}
 * and no linger, is the cheapest any Kafka hop can be on this machine.
 *
 * <p>Everything it creates is its own and is removed afterwards: two one-partition topics and a
 * scratch database.
 */
public final class HopBenchmark {
    static final String TOPIC = "stratus-hops";
    static final String FLOOR_TOPIC = "stratus-hops-floor";
    static final String DATABASE = "stratus-hops";
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final long PAUSE_MILLIS = 5;

    /** One hop's samples, in microseconds. */
    public record Hop(String name, String what, long[] micros) {
        public Hop {
            micros = micros.clone();
            Arrays.sort(micros);
        }

        /** The q-quantile (0 to 1) in milliseconds, nearest rank. */
        public double millis(double q) {
            int rank = (int) Math.ceil(q * micros.length) - 1;
            return micros[Math.max(0, Math.min(micros.length - 1, rank))] / 1_000.0;
        }

        @Override
        public long[] micros() {
            return micros.clone();
        }
    }

    private final KafkaSettings kafka;
    private final CouchDbSettings couchDb;
    private final int samples;
    private final int warmup;
    private final Consumer<String> progress;

    /**
     * @param samples  measured messages per hop
     * @param warmup   unmeasured messages per hop first (connections, JIT)
     * @param progress told what is being measured
     */
    public HopBenchmark(KafkaSettings kafka, CouchDbSettings couchDb, int samples, int warmup,
                        Consumer<String> progress) {
        if (samples < 1 || warmup < 0) {
            throw new IllegalArgumentException("samples must be positive and warm-up not negative");
        }
        this.kafka = kafka;
        this.couchDb = couchDb.withDatabase(DATABASE);
        this.samples = samples;
        this.warmup = warmup;
        this.progress = progress;
    }

    /** Measures the three hops in turn: Kafka as the pipeline sends, the Kafka floor, a CouchDB write. */
    public List<Hop> run() {
        try (TopicAdmin admin = new TopicAdmin(kafka, "hops")) {
            short replicas = admin.replicationFactor();
            try {
                admin.ensureSinglePartition(TOPIC, replicas);
                admin.ensureSinglePartition(FLOOR_TOPIC, (short) 1);
                Properties pipeline = KafkaPipeline.producerProperties(kafka, "hops-pipeline");
                Properties floor = KafkaPipeline.producerProperties(kafka, "hops-floor");
                floor.put("acks", "1");
                floor.put("enable.idempotence", "false");
                floor.put("linger.ms", "0");
                return List.of(
                        kafkaHop("kafka", "one Kafka hop as the pipeline makes it: " + replicas
                                + " replica(s), acks=all, idempotent, linger 2 ms; send to poll", TOPIC, pipeline),
                        kafkaHop("kafka-floor", "the cheapest Kafka hop: 1 replica, acks=1, no linger; send to poll",
                                FLOOR_TOPIC, floor),
                        couchDbWrite());
            } finally {
                admin.delete(TOPIC);
                admin.delete(FLOOR_TOPIC);
            }
        }
    }

    /** Sends one request-sized message at a time and times it until the consumer has it. */
    private Hop kafkaHop(String name, String what, String topic, Properties producerProps) {
        progress.accept(name + ": " + what);
        byte[] value = DigitMessages.request(new DigitImage(new float[Mnist.PIXELS]));
        TopicPartition partition = new TopicPartition(topic, 0);
        long[] micros = new long[samples];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                     KafkaPipeline.consumerProperties(kafka, "hops-" + name), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            for (int i = -warmup; i < samples; i++) {
                long start = System.nanoTime();
                CompletableFuture<Void> acked = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), value), (metadata, failure) -> {
                    if (failure != null) {
                        acked.completeExceptionally(failure);
                    } else {
                        acked.complete(null);
                    }
                });
                int received = 0;
                long deadline = start + POLL.toNanos();
                while (received == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + ": a message sent to " + topic
                                + " did not arrive within " + POLL.toSeconds() + " s");
                    }
                    received = consumer.poll(Duration.ofMillis(100)).count();
                }
                long took = (System.nanoTime() - start) / 1_000;
                acked.orTimeout(POLL.toMillis(), TimeUnit.MILLISECONDS).join();
                if (i >= 0) {
                    micros[i] = took;
                }
                pause();
            }
        }
        return new Hop(name, what, micros);
    }

    /** Writes one prediction document at a time, as a worker's bulk write of a batch of one. */
    private Hop couchDbWrite() {
        String what = "one prediction written to CouchDB (_bulk_docs), as a worker stores a batch of one";
        progress.accept("couchdb: " + what);
        long[] micros = new long[samples];
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(couchDb)) {
            try {
                float[] probabilities = new float[10];
                probabilities[7] = 1f;
                for (int i = -warmup; i < samples; i++) {
                    PredictionRecord record = new PredictionRecord(PredictionIds.next(), Instant.now(), "hops", 7,
                            probabilities, new byte[Mnist.PIXELS], null, null);
                    long start = System.nanoTime();
                    store.saveAll(List.of(record));
                    if (i >= 0) {
                        micros[i] = (System.nanoTime() - start) / 1_000;
                    }
                    pause();
                }
            } finally {
                store.deleteDatabase();
            }
        }
        return new Hop("couchdb", what, micros);
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
