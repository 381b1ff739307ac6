package dev.stratus.core.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Small ONNX models written byte by byte (the protobuf wire format of onnx.proto), for checking
 * the model handling of every module (the contract check, the smoke test, the swap that refuses)
 * with models the trainer would never make: one that breaks the contract's shapes, one that keeps
 * them but cannot read a digit. In main, not a test tree, so that every module's tests share it;
 * nothing in serving calls it.
 */
public final class TinyOnnx {
    private static final int FLOAT = 1;

    private TinyOnnx() {
    }

    /** {@code image [N,1,28,28]} passed through unchanged as {@code probabilities}: the wrong output shape. */
    public static byte[] identity() {
        byte[] node = concat(text(1, "image"), text(2, "probabilities"), text(4, "Identity"));
        return model(concat(message(1, node), text(2, "identity"),
                message(11, tensorInfo("image", -1, 1, 28, 28)), message(12, tensorInfo("probabilities", -1, 1, 28, 28))));
    }

    /**
     * The contract's shapes, {@code [N,1,28,28] -> [N,10]}, through Flatten, MatMul with all-zero
     * weights and Softmax: every digit gets 0.1, so it reads every image as a 0.
     */
    public static byte[] uniform() {
        byte[] weights = new byte[784 * 10 * 4];
        byte[] initializer = concat(varint(1, 784), varint(1, 10), varint(2, FLOAT), text(8, "w"), bytes(9, weights));
        return model(concat(
                message(1, concat(text(1, "image"), text(2, "flat"), text(4, "Flatten"))),
                message(1, concat(text(1, "flat"), text(1, "w"), text(2, "logits"), text(4, "MatMul"))),
                message(1, concat(text(1, "logits"), text(2, "probabilities"), text(4, "Softmax"))),
                text(2, "uniform"), message(5, initializer),
                message(11, tensorInfo("image", -1, 1, 28, 28)), message(12, tensorInfo("probabilities", -1, 10))));
    }

    private static byte[] model(byte[] graph) {
        return concat(varint(1, 8), text(2, "stratus-test"), message(7, graph), message(8, varint(2, 13)));
    }

    /** A float tensor's name and shape; -1 is the batch dimension, named N. */
    private static byte[] tensorInfo(String name, long... dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (long d : dims) {
            shape.writeBytes(message(1, d < 0 ? text(2, "N") : varint(1, d)));
        }
        byte[] tensor = concat(varint(1, FLOAT), message(2, shape.toByteArray()));
        return concat(text(1, name), message(2, message(1, tensor)));
    }

    private static byte[] varint(int field, long value) {
        return concat(rawVarint((long) field << 3), rawVarint(value));
    }

    private static byte[] text(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] message(int field, byte[] body) {
        return bytes(field, body);
    }

    private static byte[] bytes(int field, byte[] body) {
        return concat(rawVarint((long) field << 3 | 2), rawVarint(body.length), body);
    }

    private static byte[] rawVarint(long value) {
        ByteBuffer out = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
        byte[] result = new byte[out.position()];
        out.flip().get(result);
        return result;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
