package dev.stratus.server.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.core.verdict.Verdict;
import dev.stratus.server.pipeline.Classified;
import dev.stratus.server.store.PredictionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The bytes on the topics. A request is a version byte then the 784 bytes of the preprocessed
 * 28x28 image (gateways preprocess, workers only classify). Version 3 is the same with what the
 * gateway found in the input ({@link Precheck}): after the version byte, 1 for too small or 2
 * for several, the 784 bytes, then the number read as ASCII digits (several only); a gateway
 * sends it only when it found something, so a worker from before issue 17 still reads the rest.
 * A reply is JSON. Version 2 is a whole number's image ({@link NumberMessages}), on the same topics.
 */
public final class DigitMessages {
    static final byte VERSION = 1;
    static final byte VERSION_PRECHECKED = 3;
    private static final byte TOO_SMALL = 1;
    private static final byte SEVERAL = 2;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A decoded request: the image and what the gateway found in its input. */
    public record Request(DigitImage image, Precheck precheck) {
    }

    /**
     * What a worker sends back for one request; {@code createdAt} (ISO-8601) is its stored
     * record's, {@code verdict} and {@code number} its verdict (absent from a worker before issue 17).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(String id, int digit, float[] probabilities, String modelVersion, String createdAt,
                        long queueMicros, long inferenceMicros, int batchSize, Verdict verdict, String number) {
        public Reply(String id, int digit, float[] probabilities, String modelVersion, String createdAt,
                     long queueMicros, long inferenceMicros, int batchSize) {
            this(id, digit, probabilities, modelVersion, createdAt, queueMicros, inferenceMicros, batchSize, null, null);
        }

        /** The worker's stored record, rebuilt from this reply and the image the gateway sent. */
        Classified toClassified(DigitImage sent) {
            return new Classified(PredictionRecord.classified(id, Instant.parse(createdAt), modelVersion,
                    new Prediction(digit, probabilities), sent, verdict, number), queueMicros, inferenceMicros,
                    batchSize);
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

    /** The request for {@code image} with what the gateway found; version 1 when it found nothing. */
    public static byte[] request(DigitImage image, Precheck precheck) {
        if (precheck.verdict() == null) {
            return request(image);
        }
        byte[] pixels = image.toUnsignedBytes();
        byte[] number = precheck.number() == null ? new byte[0] : precheck.number().getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[2 + pixels.length + number.length];
        value[0] = VERSION_PRECHECKED;
        value[1] = precheck.verdict() == Verdict.TOO_SMALL ? TOO_SMALL : SEVERAL;
        System.arraycopy(pixels, 0, value, 2, pixels.length);
        System.arraycopy(number, 0, value, 2 + pixels.length, number.length);
        return value;
    }

    /** A request of version 1 or 3; {@link IllegalArgumentException} says what is wrong with a bad one. */
    public static Request decode(byte[] value) {
        if (value == null || value.length == 0 || value[0] != VERSION_PRECHECKED) {
            return new Request(image(value), Precheck.NONE);
        }
        if (value.length < 2 + Mnist.PIXELS) {
            throw new IllegalArgumentException("expected at least " + (2 + Mnist.PIXELS) + " bytes, got " + value.length);
        }
        byte[] plain = new byte[1 + Mnist.PIXELS];
        plain[0] = VERSION;
        System.arraycopy(value, 2, plain, 1, Mnist.PIXELS);
        String number = new String(value, 2 + Mnist.PIXELS, value.length - 2 - Mnist.PIXELS, StandardCharsets.US_ASCII);
        Precheck precheck;
        if (value[1] == TOO_SMALL && number.isEmpty()) {
            precheck = Precheck.TOO_SMALL;
        } else if (value[1] == SEVERAL && number.matches("[0-9]{2,64}")) {
            precheck = Precheck.several(number);
        } else {
            throw new IllegalArgumentException("unknown precheck " + value[1] + " with number '" + number + "'");
        }
        return new Request(image(plain), precheck);
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
