package dev.stratus.server.kafka;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.core.segment.SegmentedNumber;
import dev.stratus.core.segment.Segmenter;
import dev.stratus.server.store.NumberRecord;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.verdict.Calibration;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.server.models.RoutedClassifier;
import dev.stratus.server.models.ModelRouter;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.PredictionStore;
import dev.stratus.server.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one polled batch into its effects: undecodable requests to the dead-letter topic, the
 * digits classified in one call on the calling thread (each number read there too, by the
 * {@link Segmenter}: its pieces in one call of their own), then (on a store thread) stored in one bulk
 * write, retried while the store is down, and answered on each gateway's reply topic. The batch
 * is done when Kafka has acknowledged every reply and dead letter, and it always completes:
 * anything that throws once the batch exists (a send, the hand-off to the store thread) fails it,
 * so that the ledger rewinds it instead of waiting for it forever.
 */
final class BatchHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BatchHandler.class);

    private final ModelRouter router;
    private final PredictionStore store;
    private final Producer<String, byte[]> producer;
    private final Executor storeExecutor;
    private final WorkerMetrics metrics;
    private final BooleanSupplier running;

    BatchHandler(ModelRouter router, PredictionStore store, Producer<String, byte[]> producer, Executor storeExecutor,
                 WorkerMetrics metrics, BooleanSupplier running) {
        this.router = router;
        this.store = store;
        this.producer = producer;
        this.storeExecutor = storeExecutor;
        this.metrics = metrics;
        this.running = running;
    }

    /** A decoded request: where it came from and where its answer goes. */
    private record Job(ConsumerRecord<String, byte[]> record, String id, DigitImage image, Precheck precheck,
                       String replyTo) {
    }

    /** A number as read: its record, or the reason none was read (no digit, too many). */
    private record Reading(ConsumerRecord<String, byte[]> record, String id, String replyTo, NumberRecord number,
                           IllegalArgumentException refusal, long inferenceMicros) {
    }

    /** Handles {@code records}, completing {@code done} when every effect is acknowledged (or failed). */
    void handle(ConsumerRecords<String, byte[]> records, CompletableFuture<Void> done) {
        // One model for the whole batch, digits and numbers: a swap changes the next batch, never
        // this one (a canary takes whole batches, by the first request's key).
        try (ModelRouter.Lease lease = router.acquire()) {
            String first = records.isEmpty() ? "" : String.valueOf(records.iterator().next().key());
            handle(records, lease.modelFor(first), done);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records, Model model, CompletableFuture<Void> done) {
        try {
            metrics.batchSizes().record(records.count());
            List<Job> jobs = new ArrayList<>(records.count());
            List<Reading> readings = new ArrayList<>();
            List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                if (NumberMessages.isNumber(record.value())) {
                    readNumber(record, model, readings, deadLetters);
                    continue;
                }
                try {
                    jobs.add(decode(record));
                } catch (IllegalArgumentException e) {
                    deadLetters.add(deadLetter(record, e.getMessage()));
                }
            }
            long start = System.nanoTime();
            List<Prediction> predictions = jobs.isEmpty() ? List.of()
                    : model.classifier().classifyBatch(jobs.stream().map(Job::image).toList());
            long inferenceMicros = (System.nanoTime() - start) / 1_000;
            Instant now = Instant.now();
            Calibration calibration = model.card().calibrationOrNone();
            List<PredictionRecord> results = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                Prediction prediction = RoutedClassifier.calibrated(predictions.get(i), calibration);
                results.add(PredictionRecord.classified(job.id(), now, model.version(), prediction, job.image(),
                        job.precheck().decide(prediction.confidence(), calibration), job.precheck().number()));
            }
            int replies = (int) (jobs.stream().filter(job -> job.replyTo() != null).count()
                    + readings.stream().filter(reading -> reading.replyTo() != null).count());
            Acknowledgements acks = new Acknowledgements(deadLetters.size() + replies, done,
                    () -> metrics.processed().increment(jobs.size() + readings.size()));
            // Dead letters need no store: sent now; the batch waits for their acknowledgement too.
            deadLetters.forEach(out -> producer.send(out, acks));
            if (!results.isEmpty() || !readings.isEmpty()) {
                Timing timing = new Timing(now, inferenceMicros, jobs.size());
                storeExecutor.execute(() -> {
                    if (storeThenReply(jobs, results, timing, acks, done)) {
                        storeThenReplyNumbers(readings, acks, done);
                    }
                });
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /** How the batch was classified, for the replies. */
    private record Timing(Instant classifiedAt, long inferenceMicros, int batchSize) {
    }

    /**
     * Stores, then answers each request with its record as stored: for a redelivered request
     * that is the first record, so the answer equals the record whichever delivery answers.
     */
    private boolean storeThenReply(List<Job> jobs, List<PredictionRecord> results, Timing timing,
                                   Acknowledgements acks, CompletableFuture<Void> done) {
        if (results.isEmpty()) {
            return true;
        }
        try {
            List<PredictionRecord> stored = storeUntilDone("predictions", () -> store.saveAll(results));
            if (stored == null) {
                done.completeExceptionally(new StoreException("stopped before the batch was stored", null));
                return false;
            }
            // Counted before the replies go: the last acknowledgement completes the batch.
            int redelivered = 0;
            for (int i = 0; i < jobs.size(); i++) {
                if (stored.get(i) != results.get(i)) {
                    redelivered++;
                }
            }
            if (redelivered > 0) {
                metrics.redelivered().increment(redelivered);
                LOG.info("redelivered: {} request(s) of this batch were stored before; answered with the stored records",
                        redelivered);
            }
            for (int i = 0; i < jobs.size(); i++) {
                if (jobs.get(i).replyTo() != null) {
                    producer.send(reply(jobs.get(i), stored.get(i), timing), acks);
                }
            }
            return true;
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return false;
        }
    }

    /**
     * Reads one number request into {@code readings}; a request that cannot be decoded, or whose
     * image the segmenter fails on in any way but "no digit" or "too many", becomes a dead letter
     * instead: it would fail again on every redelivery.
     */
    private void readNumber(ConsumerRecord<String, byte[]> record, Model model, List<Reading> readings,
                            List<ProducerRecord<String, byte[]>> deadLetters) {
        String id;
        String replyTo;
        NumberMessages.Request request;
        try {
            id = requestId(record);
            replyTo = replyTo(record);
            request = NumberMessages.request(record.value());
        } catch (IllegalArgumentException e) {
            deadLetters.add(deadLetter(record, e.getMessage()));
            return;
        }
        long start = System.nanoTime();
        try {
            SegmentedNumber number = new Segmenter(model.classifier(), request.maxDigits()).segment(request.image());
            readings.add(new Reading(record, id, replyTo, NumberRecord.classified(id, Instant.now(), model.version(),
                    number), null, (System.nanoTime() - start) / 1_000));
        } catch (BlankImageException | NumberTooLongException refused) {
            readings.add(new Reading(record, id, replyTo, null, refused, (System.nanoTime() - start) / 1_000));
        } catch (RuntimeException e) {
            LOG.error("reading number {} failed", id, e);
            deadLetters.add(deadLetter(record, "the number could not be read: " + e));
        }
    }

    /** Stores the numbers read (as the predictions are), then answers each: its stored record, or its refusal. */
    private void storeThenReplyNumbers(List<Reading> readings, Acknowledgements acks, CompletableFuture<Void> done) {
        if (readings.isEmpty()) {
            return;
        }
        try {
            List<NumberRecord> read = readings.stream().map(Reading::number).filter(Objects::nonNull).toList();
            List<NumberRecord> stored = read.isEmpty() ? read
                    : storeUntilDone("numbers", () -> store.numbers().saveAll(read));
            if (stored == null) {
                done.completeExceptionally(new StoreException("stopped before the numbers were stored", null));
                return;
            }
            Instant now = Instant.now();
            int next = 0;
            for (Reading reading : readings) {
                NumberMessages.Reply reply;
                if (reading.number() == null) {
                    reply = NumberMessages.Reply.refused(reading.id(), reading.refusal());
                } else {
                    long queueMicros = Math.max(0, (now.toEpochMilli() - reading.record().timestamp()) * 1_000);
                    reply = NumberMessages.Reply.read(reading.id(), stored.get(next++), queueMicros,
                            reading.inferenceMicros());
                }
                if (reading.replyTo() != null) {
                    ProducerRecord<String, byte[]> out = new ProducerRecord<>(reading.replyTo(), reading.id(),
                            NumberMessages.reply(reply));
                    out.headers().add(Topics.CORRELATION_ID, reading.id().getBytes(StandardCharsets.UTF_8));
                    producer.send(out, acks);
                }
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private static ProducerRecord<String, byte[]> reply(Job job, PredictionRecord stored, Timing timing) {
        long queueMicros = Math.max(0, (timing.classifiedAt().toEpochMilli() - job.record().timestamp()) * 1_000);
        DigitMessages.Reply reply = new DigitMessages.Reply(job.id(), stored.digit(), stored.probabilities(),
                stored.modelVersion(), stored.createdAt().toString(), queueMicros, timing.inferenceMicros(),
                timing.batchSize(), stored.verdict(), stored.number());
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(job.replyTo(), job.id(), DigitMessages.reply(reply));
        out.headers().add(Topics.CORRELATION_ID, job.id().getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** Completes a batch once every one of its sends is acknowledged (or failed: see below). */
    private static final class Acknowledgements implements Callback {
        private final AtomicInteger remaining;
        private final CompletableFuture<Void> done;
        private final Runnable onDone;

        Acknowledgements(int sends, CompletableFuture<Void> done, Runnable onDone) {
            this.remaining = new AtomicInteger(sends);
            this.done = done;
            this.onDone = onDone;
            if (sends == 0) {
                finish();
            }
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception failure) {
            if (failure != null) {
                // A reply Kafka refused after its delivery timeout is lost and the request times
                // out at its gateway; the prediction is stored, the batch is not repeated.
                LOG.warn("a reply or dead letter was not delivered: {}", failure.getMessage());
            }
            if (remaining.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() {
            onDone.run();
            done.complete(null);
        }
    }

    private Job decode(ConsumerRecord<String, byte[]> record) {
        String id = requestId(record);
        String replyTo = replyTo(record);
        DigitMessages.Request request = DigitMessages.decode(record.value());
        return new Job(record, id, request.image(), request.precheck(), replyTo);
    }

    private static String requestId(ConsumerRecord<String, byte[]> record) {
        String id = header(record, Topics.CORRELATION_ID);
        if (id == null) {
            id = record.key();
        }
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("no usable request id");
        }
        return id;
    }

    private static String replyTo(ConsumerRecord<String, byte[]> record) {
        String replyTo = header(record, Topics.REPLY_TO);
        if (replyTo != null && !replyTo.startsWith(Topics.REPLIES_PREFIX)) {
            throw new IllegalArgumentException("reply-to '" + replyTo + "' is not a reply topic");
        }
        return replyTo;
    }

    /**
     * Stores the batch, retrying with backoff while the store is down (the polling thread pauses
     * consumption meanwhile: the batches in flight fill up); the records as stored, or null if
     * stopped meanwhile.
     */
    private <T> List<T> storeUntilDone(String what, Supplier<List<T>> save) {
        long backoff = 200;
        while (true) {
            try {
                return save.get();
            } catch (StoreException e) {
                metrics.storeRetries().increment();
                LOG.warn("storing {} failed ({}); retrying in {} ms, not committing", what, e.getMessage(), backoff);
                if (!running.getAsBoolean()) {
                    return null;
                }
                InferenceWorker.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        metrics.deadLetters().increment();
        LOG.warn("dead letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTERS, record.key(), record.value());
        for (Header h : record.headers()) {
            out.headers().add(h);
        }
        out.headers().add(Topics.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(Topics.DLQ_SOURCE, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
