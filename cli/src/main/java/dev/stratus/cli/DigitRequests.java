package dev.stratus.cli;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.LabeledImages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bodies for {@code POST /api/v1/predictions} made from real MNIST digits, {@code {"pixels":[784
 * ints]}}, each with its true label so that an answer can be checked. Built once, before the load
 * starts, so that sending costs no formatting.
 */
record DigitRequests(List<byte[]> bodies, byte[] labels) {

    DigitRequests {
        if (bodies.isEmpty() || bodies.size() != labels.length) {
            throw new IllegalArgumentException("need one label per body and at least one body, got "
                    + bodies.size() + " bodies and " + labels.length + " labels");
        }
        bodies = List.copyOf(bodies);
    }

    /** The first {@code limit} images of a 28x28 IDX set. */
    static DigitRequests from(LabeledImages images, int limit) {
        if (images.rows() != Mnist.SIDE || images.cols() != Mnist.SIDE) {
            throw new IllegalArgumentException("the API takes " + Mnist.SIDE + "x" + Mnist.SIDE + " digits, these are "
                    + images.rows() + "x" + images.cols());
        }
        LabeledImages used = images.head(limit);
        List<byte[]> bodies = new ArrayList<>(used.count());
        for (int i = 0; i < used.count(); i++) {
            bodies.add(body(used.pixels(), i * Mnist.PIXELS));
        }
        return new DigitRequests(bodies, used.labels());
    }

    static byte[] body(byte[] pixels, int offset) {
        StringBuilder json = new StringBuilder(16 + 4 * Mnist.PIXELS).append("{\"pixels\":[");
        for (int p = 0; p < Mnist.PIXELS; p++) {
            if (p > 0) {
                json.append(',');
            }
            json.append(pixels[offset + p] & 0xff);
        }
        return json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    int count() {
        return labels.length;
    }

    byte[] body(int index) {
        return bodies.get(index);
    }

    int label(int index) {
        return labels[index];
    }
}
