package dev.stratus.server.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.server.pipeline.ClassifiedNumber;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.store.NumberDigits;
import dev.stratus.server.store.NumberRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The bytes of a number on the topics, beside {@link DigitMessages}' on the same topics: a
 * request's first byte, {@value #VERSION}, tells a worker that a whole image follows (version 1
 * is a preprocessed digit), so one consumer and one reply topic serve both.
 *
 * <p>A request is the version, the longest number the gateway allows (one byte), the width and
 * height (32-bit big-endian), then the grey pixels, one byte each, deflated: a drawing is mostly
 * background, so a canvas of a few hundred kilopixels travels as a few kilobytes, and the worker
 * inflates exactly {@code width x height} bytes, never more. A reply is JSON: the stored number's
 * digits as {@link NumberDigits} in base64, or the reason no number was read.
 */
public final class NumberMessages {
    static final byte VERSION = 2;
    /** Longest request: under the 1 MB Kafka takes by default, headers and all. */
    static final int MAX_REQUEST_BYTES = 900_000;
    private static final int HEADER_BYTES = 1 + 1 + 2 * Integer.BYTES;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NO_DIGITS = "no_digits";
    static final String TOO_LONG = "number_too_long";

    /** A decoded request: the image and the longest number the gateway allows. */
    record Request(GreyImage image, int maxDigits) {
    }

    /**
     * What a worker sends back for one number: the stored record's model, time and digits, or
     * {@code error} ({@value #NO_DIGITS}, {@value #TOO_LONG}) and its {@code detail}.
     */
    public record Reply(String id, String modelVersion, String createdAt, String digits, String error, String detail,
                        int maxDigits, long queueMicros, long inferenceMicros) {

        static Reply read(String id, NumberRecord stored, long queueMicros, long inferenceMicros) {
            return new Reply(id, stored.modelVersion(), stored.createdAt().toString(),
                    Base64.getEncoder().encodeToString(NumberDigits.encode(stored.digits())), null, null, 0, queueMicros,
                    inferenceMicros);
        }

        static Reply refused(String id, IllegalArgumentException why) {
            return why instanceof NumberTooLongException tooLong
                    ? new Reply(id, null, null, null, TOO_LONG, why.getMessage(), tooLong.maxDigits(), 0, 0)
                    : new Reply(id, null, null, null, NO_DIGITS, why.getMessage(), 0, 0, 0);
        }

        /** The worker's stored number; a refusal comes out as the exception the embedded pipeline would throw. */
        ClassifiedNumber toClassified() {
            if (TOO_LONG.equals(error)) {
                throw new NumberTooLongException(detail, maxDigits);
            }
            if (NO_DIGITS.equals(error)) {
                throw new BlankImageException(detail);
            }
            return new ClassifiedNumber(new NumberRecord(id, Instant.parse(createdAt), modelVersion,
                    NumberDigits.decode(Base64.getDecoder().decode(digits)), null, null), queueMicros, inferenceMicros);
        }
    }

    private NumberMessages() {
    }

    /** Whether {@code value} is a number's request rather than a digit's. */
    static boolean isNumber(byte[] value) {
        return value != null && value.length > 0 && value[0] == VERSION;
    }

    /** The request for {@code image}; an image too detailed to fit in a message is a {@link BadInputException}. */
    public static byte[] request(GreyImage image, int maxDigits) {
        float[] pixels = image.pixels();
        byte[] grey = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            grey[i] = (byte) Math.round(pixels[i] * 255f);
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(grey);
            deflater.finish();
            byte[] out = new byte[MAX_REQUEST_BYTES];
            ByteBuffer header = ByteBuffer.wrap(out).put(VERSION).put((byte) maxDigits).putInt(image.width())
                    .putInt(image.height());
            int length = header.position();
            while (!deflater.finished() && length < out.length) {
                length += deflater.deflate(out, length, out.length - length);
            }
            if (!deflater.finished()) {
                throw new BadInputException("image_too_detailed", "the image does not compress into one "
                        + MAX_REQUEST_BYTES + "-byte message for the workers: send a plainer drawing or a smaller image");
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    /** The image in a request; {@link IllegalArgumentException} says what is wrong with a bad one. */
    static Request request(byte[] value) {
        if (!isNumber(value) || value.length <= HEADER_BYTES) {
            throw new IllegalArgumentException("not a number request of version " + VERSION);
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        in.get();
        int maxDigits = in.get() & 0xff;
        int width = in.getInt();
        int height = in.getInt();
        if (maxDigits < 1 || maxDigits > NumberDigits.MAX_DIGITS) {
            throw new IllegalArgumentException("the longest number must be 1-" + NumberDigits.MAX_DIGITS + ", got "
                    + maxDigits);
        }
        if (width < 1 || height < 1 || width > ImageDecoder.MAX_SIDE || height > ImageDecoder.MAX_SIDE
                || (long) width * height > ImageDecoder.MAX_PIXELS) {
            throw new IllegalArgumentException("an image of " + width + "x" + height + " is out of bounds");
        }
        byte[] grey = new byte[width * height];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(value, HEADER_BYTES, value.length - HEADER_BYTES);
            int length = 0;
            while (length < grey.length && !inflater.finished()) {
                int n = inflater.inflate(grey, length, grey.length - length);
                if (n == 0) {
                    break; // needs more input than there is, or a dictionary: either way, not ours
                }
                length += n;
            }
            if (length != grey.length || !inflater.finished()) {
                throw new IllegalArgumentException("the pixels do not inflate to exactly " + width + "x" + height
                        + " bytes");
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("the pixels are not deflated data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return new Request(GreyImage.fromUnsignedBytes(width, height, grey, 0), maxDigits);
    }

    static byte[] reply(Reply reply) {
        try {
            return JSON.writeValueAsBytes(reply);
        } catch (IOException e) {
            throw new IllegalStateException("a reply always serialises", e);
        }
    }

    /** A reply, checked: one that cannot become its record or its refusal is an {@link IOException}. */
    static Reply reply(byte[] value) throws IOException {
        Reply reply = JSON.readValue(value, Reply.class);
        if (reply.error() == null && (reply.createdAt() == null || reply.digits() == null || reply.modelVersion() == null)) {
            throw new IOException("the reply has neither a number nor an error");
        }
        return reply;
    }
}
