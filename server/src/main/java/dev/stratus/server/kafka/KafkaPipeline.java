package dev.stratus.server.kafka;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.core.segment.Segmenter;
import dev.stratus.server.pipeline.ClassifiedNumber;
import dev.stratus.server.pipeline.BrokerException;
import dev.stratus.server.pipeline.Classified;
import dev.stratus.server.pipeline.InferencePipeline;
import dev.stratus.server.pipeline.PipelineClosedException;
import dev.stratus.server.pipeline.PipelineFullException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of the distributed pipeline: one long-lived idempotent producer sends each
 * digit (or whole number, one message: {@link NumberMessages}) to {@code digit-requests} (key and correlation id = request id, reply topic in a
 * header); one consumer reads this gateway's own reply topic and completes the waiting request.
 * Nothing sleeps, nothing polls a database; a bound on requests in flight refuses the excess.
 */
public final class KafkaPipeline implements InferencePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPipeline.class);

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> replies;
    private final TopicAdmin admin;
    private final String replyTopic;
    private final int maxInFlight;
    private final int maxDigits;
    /** A request waiting for its reply: a digit's, or a number's. */
    private sealed interface Pending permits PendingDigit, PendingNumber {
        CompletableFuture<?> result();

        /** Completes the request from its reply; throws what makes the reply unreadable. */
        void complete(byte[] reply) throws IOException;
    }

    /** A digit waiting for its reply, with the image it sent: the stored record's input. */
    private record PendingDigit(CompletableFuture<Classified> result, DigitImage image) implements Pending {
        @Override
        public void complete(byte[] reply) throws IOException {
            result.complete(DigitMessages.reply(reply).toClassified(image));
        }
    }

    /** A number waiting for its reply, which carries the digits the worker read and stored. */
    private record PendingNumber(CompletableFuture<ClassifiedNumber> result) implements Pending {
        @Override
        public void complete(byte[] reply) throws IOException {
            try {
                result.complete(NumberMessages.reply(reply).toClassified());
            } catch (BlankImageException | NumberTooLongException refused) {
                result.completeExceptionally(refused);
            }
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Thread listener;
    private final Counter lateReplies;
    private volatile boolean running = true;
    private volatile boolean listening;

    public KafkaPipeline(KafkaSettings settings, String gatewayId, int maxInFlight, MeterRegistry registry) {
        this(settings, gatewayId, maxInFlight, Segmenter.DEFAULT_MAX_DIGITS, registry);
    }

    /** As above, numbers of more than {@code maxDigits} digits refused (the workers are told in each request). */
    public KafkaPipeline(KafkaSettings settings, String gatewayId, int maxInFlight, int maxDigits,
                         MeterRegistry registry) {
        this.replyTopic = Topics.repliesFor(gatewayId);
        this.maxInFlight = maxInFlight;
        this.maxDigits = maxDigits;
        this.admin = new TopicAdmin(settings, "gateway-" + gatewayId);
        admin.ensureShared();
        admin.ensureReplies(replyTopic);
        this.producer = new KafkaProducer<>(producerProperties(settings, "gateway-" + gatewayId),
                new StringSerializer(), new ByteArraySerializer());
        this.replies = new KafkaConsumer<>(consumerProperties(settings, "gateway-" + gatewayId + "-replies"),
                new StringDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(replyTopic, 0);
        replies.assign(List.of(partition));
        replies.seekToEnd(List.of(partition));
        replies.position(partition);
        this.lateReplies = Counter.builder("stratus.kafka.replies.late")
                .description("Replies that arrived after their request had timed out").register(registry);
        registry.gauge("stratus.kafka.requests.in.flight", pending, Map::size);
        this.listener = new Thread(this::listen, "kafka-replies");
        this.listener.setDaemon(true);
        this.listener.start();
        LOG.info("Kafka pipeline ready: requests to {}, replies on {}", Topics.REQUESTS, replyTopic);
    }

    /**
     * fetch.max.wait.ms of the gateways' and workers' consumers. A fetch returns as soon as a
     * record is there (fetch.min.bytes 1), so the wait only paces idle fetches: each idle consumer
     * asks each broker it reads from once per this long (at a few milliseconds that kept the
     * brokers busy for nothing).
     */
    static final String IDLE_FETCH_WAIT_MS = "2000";

    static Properties producerProperties(KafkaSettings settings, String clientId) {
        Properties props = settings.common(clientId);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        // Under load, a few milliseconds gather many requests into one produce request (and one
        // replication round) instead of one each; the brokers' cost is per request, not per record.
        props.put("linger.ms", "2");
        // Request ids are random: a key-hashed partition per record buys no ordering and splits
        // each linger window over every partition. Sticky partitioning fills one batch at a time.
        props.put("partitioner.ignore.keys", "true");
        props.put("delivery.timeout.ms", Long.toString(Math.max(settings.requestTimeout().toMillis(), 10_000)));
        props.put("request.timeout.ms", "5000");
        return props;
    }

    static Properties consumerProperties(KafkaSettings settings, String clientId) {
        Properties props = settings.common(clientId);
        props.put("enable.auto.commit", "false");
        props.put("fetch.max.wait.ms", IDLE_FETCH_WAIT_MS);
        props.put("auto.offset.reset", "latest");
        return props;
    }

    @Override
    public CompletableFuture<Classified> submit(String requestId, DigitImage image) {
        return submit(requestId, image, Precheck.NONE);
    }

    @Override
    public CompletableFuture<Classified> submit(String requestId, DigitImage image, Precheck precheck) {
        CompletableFuture<Classified> result = new CompletableFuture<>();
        send(requestId, new PendingDigit(result, image), () -> DigitMessages.request(image, precheck));
        return result;
    }

    /** One message for the whole image, read and classified as one batch by the worker that takes it. */
    @Override
    public CompletableFuture<ClassifiedNumber> submitNumber(String requestId, GreyImage image) {
        CompletableFuture<ClassifiedNumber> result = new CompletableFuture<>();
        send(requestId, new PendingNumber(result), () -> NumberMessages.request(image, maxDigits));
        return result;
    }

    /** Sends a request unless the gateway is closing or full; its failures complete {@code waiting}'s result. */
    private void send(String requestId, Pending waiting, Supplier<byte[]> message) {
        CompletableFuture<?> result = waiting.result();
        if (!running) {
            result.completeExceptionally(new PipelineClosedException("the gateway is shutting down"));
            return;
        }
        if (pending.size() >= maxInFlight) {
            result.completeExceptionally(new PipelineFullException(pending.size()
                    + " requests are already waiting for the workers; retry shortly"));
            return;
        }
        byte[] value;
        try {
            value = message.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        pending.put(requestId, waiting);
        result.whenComplete((ok, failure) -> pending.remove(requestId));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REQUESTS, requestId, value);
        record.headers().add(Topics.CORRELATION_ID, requestId.getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.REPLY_TO, replyTopic.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure != null) {
                    // A retriable failure (a timeout, no leader, too few replicas) is Kafka being
                    // unavailable for now; any other is a refusal that a retry would meet again.
                    BrokerException.Kind kind = failure instanceof RetriableException
                            ? BrokerException.Kind.UNAVAILABLE : BrokerException.Kind.REFUSED;
                    result.completeExceptionally(new BrokerException(kind, "Kafka did not accept the request: "
                            + failure.getMessage()));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "Kafka is unavailable: " + e.getMessage()));
        }
    }

    private void listen() {
        try {
            while (running) {
                listening = true;
                try {
                    for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(200))) {
                        complete(record);
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // A broker moving or a network blip must not stop the gateway from hearing replies.
                    LOG.warn("reading replies failed, retrying: {}", e.getMessage());
                    sleep(200);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up to stop.
        } finally {
            listening = false;
            replies.close(Duration.ofSeconds(2));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void complete(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(Topics.CORRELATION_ID);
        String id = header != null ? new String(header.value(), StandardCharsets.UTF_8) : record.key();
        Pending waiting = id == null ? null : pending.get(id);
        if (waiting == null) {
            lateReplies.increment();
            return;
        }
        try {
            waiting.complete(record.value());
        } catch (Exception e) {
            waiting.result().completeExceptionally(new IllegalStateException("unreadable reply for " + id + ": " + e.getMessage()));
        }
    }

    @Override
    public boolean ready() {
        return running && listening && listener.isAlive() && pending.size() < maxInFlight;
    }


    @Override
    public int queueDepth() {
        return pending.size();
    }

    @Override
    public void close() {
        running = false;
        replies.wakeup();
        try {
            listener.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        pending.values().forEach(p -> p.result().completeExceptionally(new PipelineClosedException("the gateway stopped")));
        admin.delete(replyTopic);
        admin.close();
    }
}
