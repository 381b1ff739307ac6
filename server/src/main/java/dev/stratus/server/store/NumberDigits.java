package dev.stratus.server.store;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.segment.Box;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A number's digits as bytes, the one encoding for the SQL column, the CouchDB document and the
 * Kafka reply: a 16-bit count, then per digit 10 little-endian floats, the box's x, y, width and
 * height as 32-bit ints, and the 784 input bytes.
 */
public final class NumberDigits {
    /** The most digits any number may have, whatever the configured maximum. */
    public static final int MAX_DIGITS = 64;
    private static final int DIGIT_BYTES = Mnist.CLASSES * Float.BYTES + 4 * Integer.BYTES + Mnist.PIXELS;
    /** The longest encoding. */
    public static final int MAX_BYTES = Short.BYTES + MAX_DIGITS * DIGIT_BYTES;

    private NumberDigits() {
    }

    public static byte[] encode(List<NumberDigit> digits) {
        if (digits.size() > MAX_DIGITS) {
            throw new IllegalArgumentException("a number has at most " + MAX_DIGITS + " digits, got " + digits.size());
        }
        ByteBuffer out = ByteBuffer.allocate(Short.BYTES + digits.size() * DIGIT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) digits.size());
        for (NumberDigit d : digits) {
            for (float p : d.probabilities()) {
                out.putFloat(p);
            }
            out.putInt(d.box().x()).putInt(d.box().y()).putInt(d.box().width()).putInt(d.box().height());
            out.put(d.input());
        }
        return out.array();
    }

    /** The digits in {@code bytes}; {@link IllegalArgumentException} says what is wrong with a bad encoding. */
    public static List<NumberDigit> decode(byte[] bytes) {
        if (bytes == null || bytes.length < Short.BYTES) {
            throw new IllegalArgumentException("no digits encoded");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = in.getShort() & 0xffff;
        if (count < 1 || count > MAX_DIGITS || bytes.length != Short.BYTES + count * DIGIT_BYTES) {
            throw new IllegalArgumentException("expected 1-" + MAX_DIGITS + " digits of " + DIGIT_BYTES
                    + " bytes each, got " + bytes.length + " bytes announcing " + count);
        }
        try {
            List<NumberDigit> digits = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                float[] probabilities = new float[Mnist.CLASSES];
                for (int c = 0; c < probabilities.length; c++) {
                    probabilities[c] = in.getFloat();
                }
                Box box = new Box(in.getInt(), in.getInt(), in.getInt(), in.getInt());
                byte[] input = new byte[Mnist.PIXELS];
                in.get(input);
                digits.add(new NumberDigit(probabilities, box, input));
            }
            return digits;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the digits end early", e);
        }
    }
}
