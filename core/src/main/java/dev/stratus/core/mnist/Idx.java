package dev.stratus.core.mnist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes IDX files, the format of MNIST: images (magic 2051: count, rows, columns,
 * then unsigned bytes) and labels (magic 2049: count, then one byte each). Gzip-compressed files
 * are recognised by their content, not their name.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    private Idx() {
    }

    /** Reads an image file and a label file and checks that they belong together. */
    public static LabeledImages read(Path imagesFile, Path labelsFile) throws IOException {
        ImageFile images = readImages(imagesFile);
        byte[] labels = readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new IdxFormatException(labelsFile, "holds " + labels.length + " labels but " + imagesFile
                    + " holds " + images.count() + " images");
        }
        return new LabeledImages(images.rows(), images.cols(), images.pixels(), labels);
    }

    /** The contents of an image file. */
    public record ImageFile(int count, int rows, int cols, byte[] pixels) {
    }

    public static ImageFile readImages(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(content(file));
        header(file, data, IMAGES_MAGIC, 16);
        int count = dimension(file, data, "image count");
        int rows = dimension(file, data, "row count");
        int cols = dimension(file, data, "column count");
        if (rows == 0 || cols == 0) {
            throw new IdxFormatException(file, "images of " + rows + "x" + cols + " pixels are empty");
        }
        long expected = (long) count * rows * cols;
        byte[] pixels = body(file, data, expected, count + " images of " + rows + "x" + cols);
        return new ImageFile(count, rows, cols, pixels);
    }

    public static byte[] readLabels(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(content(file));
        header(file, data, LABELS_MAGIC, 8);
        int count = dimension(file, data, "label count");
        byte[] labels = body(file, data, count, count + " labels");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new IdxFormatException(file, "label " + i + " is " + (labels[i] & 0xff) + ", expected 0-9");
            }
        }
        return labels;
    }

    /** Writes images (each {@code rows x cols} bytes, concatenated); gzip when the name ends in .gz. */
    public static void writeImages(Path file, int rows, int cols, byte[] pixels) throws IOException {
        if (pixels.length % (rows * cols) != 0) {
            throw new IllegalArgumentException(pixels.length + " bytes are not whole " + rows + "x" + cols + " images");
        }
        try (DataOutputStream out = new DataOutputStream(open(file))) {
            out.writeInt(IMAGES_MAGIC);
            out.writeInt(pixels.length / (rows * cols));
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(pixels);
        }
    }

    public static void writeLabels(Path file, byte[] labels) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(file))) {
            out.writeInt(LABELS_MAGIC);
            out.writeInt(labels.length);
            out.write(labels);
        }
    }

    private static OutputStream open(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
        return file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(out) : out;
    }

    private static byte[] content(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IdxFormatException(file, "no such file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return in.readAllBytes();
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new IdxFormatException(file, "damaged gzip data (" + e.getMessage() + ")");
            }
        }
    }

    private static void header(Path file, ByteBuffer data, int magic, int headerBytes) throws IdxFormatException {
        if (data.remaining() < 4) {
            throw new IdxFormatException(file, "too short to be an IDX file (" + data.remaining() + " bytes)");
        }
        int found = data.getInt();
        if (found != magic) {
            String kind = magic == IMAGES_MAGIC ? "an image file" : "a label file";
            String hint = found == IMAGES_MAGIC ? " (it is an image file)"
                    : found == LABELS_MAGIC ? " (it is a label file)" : "";
            throw new IdxFormatException(file, "wrong magic number " + found + ", expected " + magic
                    + " for " + kind + hint);
        }
        if (data.remaining() < headerBytes - 4) {
            throw new IdxFormatException(file, "truncated header: " + (data.remaining() + 4) + " of "
                    + headerBytes + " bytes");
        }
    }

    private static int dimension(Path file, ByteBuffer data, String what) throws IdxFormatException {
        int value = data.getInt();
        if (value < 0) {
            throw new IdxFormatException(file, "negative " + what + " " + value);
        }
        return value;
    }

    private static byte[] body(Path file, ByteBuffer data, long expected, String what) throws IdxFormatException {
        if (data.remaining() < expected) {
            throw new IdxFormatException(file, "truncated: the header announces " + what + " (" + expected
                    + " bytes) but only " + data.remaining() + " bytes follow");
        }
        if (data.remaining() > expected) {
            throw new IdxFormatException(file, (data.remaining() - expected) + " unexpected bytes after " + what);
        }
        byte[] body = new byte[(int) expected];
        data.get(body);
        return body;
    }
}
