package dev.stratus.server.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.Prediction;
import dev.stratus.server.pipeline.Classified;
import dev.stratus.server.store.PredictionRecord;
import java.io.IOException;
import java.time.Instant;

/**
 * The bytes on the topics. A request is a version byte then the 784 bytes of the preprocessed
 * 28x28 image (gateways preprocess, workers only classify). A reply is JSON. Version 2 is a
 * whole number's image ({@link NumberMessages}), on the same topics.
 */
public final class DigitMessages {
    static final byte VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a worker sends back for one request. */
    /** What a worker sends back for one request; {@code createdAt} (ISO-8601) is its stored record's. */
    public record Reply(String id, int digit, float[] probabilities, String modelVersion, String createdAt,
                        long queueMicros, long inferenceMicros, int batchSize) {
        /** The worker's stored record, rebuilt from this reply and the image the gateway sent. */
        Classified toClassified(DigitImage sent) {
            return new Classified(PredictionRecord.classified(id, Instant.parse(createdAt), modelVersion,
                    new Prediction(digit, probabilities), sent), queueMicros, inferenceMicros, batchSize);
        }
    }

    private DigitMessages() {
    }

    public static byte[] request(DigitImage image) {
        byte[] pixels = image.toUnsignedBytes();
        byte[] value = new byte[1 + pixels.length];
        value[0] = VERSION;
        System.arraycopy(pixels, 0, value, 1, pixels.length);
        return value;
    }

    /** The image in a request; {@link IllegalArgumentException} says what is wrong with a bad one. */
    public static DigitImage image(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("empty message");
        }
        if (value.length != 1 + Mnist.PIXELS) {
            throw new IllegalArgumentException("expected " + (1 + Mnist.PIXELS) + " bytes, got " + value.length);
        }
        if (value[0] != VERSION) {
            throw new IllegalArgumentException("unknown message version " + value[0]);
        }
        float[] pixels = new float[Mnist.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (value[i + 1] & 0xff) / 255f;
        }
        return new DigitImage(pixels);
    }

    public static byte[] reply(Reply reply) {
        try {
            return JSON.writeValueAsBytes(reply);
        } catch (IOException e) {
            throw new IllegalStateException("a reply always serialises", e);
        }
    }

    public static Reply reply(byte[] value) throws IOException {
        Reply reply = JSON.readValue(value, Reply.class);
        new Prediction(reply.digit(), reply.probabilities());
        if (reply.createdAt() == null) {
            throw new IOException("the reply has no createdAt");
        }
        Instant.parse(reply.createdAt());
        return reply;
    }
}
