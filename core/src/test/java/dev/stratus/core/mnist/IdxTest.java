package dev.stratus.core.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.TestData;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    @Test
    void reads_the_real_mnist_test_set() throws IOException {
        LabeledImages test = TestData.mnistTest();

        assertThat(test.count()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        assertThat(test.label(0)).isEqualTo(7);
        assertThat(test.label(1)).isEqualTo(2);
        assertThat(test.image(0).pixels()).hasSize(784);
        int[] perDigit = new int[10];
        for (int i = 0; i < test.count(); i++) {
            perDigit[test.label(i)]++;
        }
        assertThat(perDigit).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
    }

    @Test
    void reads_the_real_training_labels() throws IOException {
        byte[] labels = Idx.readLabels(TestData.file(MnistFiles.TRAIN_LABELS));

        assertThat(labels).hasSize(60_000);
        assertThat(labels[0]).isEqualTo((byte) 5);
    }

    @Test
    void raw_and_gzip_files_read_the_same_and_round_trip() throws IOException {
        LabeledImages head = TestData.mnistTest().head(50);
        Path rawImages = dir.resolve("images-idx3-ubyte");
        Path gzImages = dir.resolve("images-idx3-ubyte.gz");
        Path rawLabels = dir.resolve("labels-idx1-ubyte");
        Idx.writeImages(rawImages, 28, 28, head.pixels());
        Idx.writeImages(gzImages, 28, 28, head.pixels());
        Idx.writeLabels(rawLabels, head.labels());

        LabeledImages fromRaw = Idx.read(rawImages, rawLabels);
        LabeledImages fromGz = Idx.read(gzImages, rawLabels);

        assertThat(fromRaw.pixels()).isEqualTo(head.pixels()).isEqualTo(fromGz.pixels());
        assertThat(fromRaw.labels()).isEqualTo(head.labels());
        assertThat(Files.readAllBytes(gzImages)[0]).isEqualTo((byte) 0x1f);
    }

    @Test
    void rejects_a_wrong_magic_number_naming_the_file() throws IOException {
        Path labelsGivenAsImages = TestData.file(MnistFiles.TEST_LABELS);

        assertThatThrownBy(() -> Idx.readImages(labelsGivenAsImages))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(labelsGivenAsImages.toString())
                .hasMessageContaining("wrong magic number 2049")
                .hasMessageContaining("it is a label file");
    }

    @Test
    void rejects_a_truncated_image_file() throws IOException {
        Path file = dir.resolve("truncated-idx3-ubyte");
        write(file, header(2051, 3, 28, 28), new byte[2 * 784 + 100]);

        assertThatThrownBy(() -> Idx.readImages(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("3 images of 28x28");
    }

    @Test
    void rejects_a_truncated_header() throws IOException {
        Path file = dir.resolve("short-idx3-ubyte");
        write(file, new byte[] {0, 0, 8, 3, 0, 0});

        assertThatThrownBy(() -> Idx.readImages(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("truncated header");
    }

    @Test
    void rejects_trailing_bytes() throws IOException {
        Path file = dir.resolve("long-idx1-ubyte");
        write(file, header(2049, 2), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> Idx.readLabels(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("1 unexpected bytes after 2 labels");
    }

    @Test
    void rejects_a_label_out_of_range() throws IOException {
        Path file = dir.resolve("bad-labels-idx1-ubyte");
        write(file, header(2049, 3), new byte[] {1, 12, 3});

        assertThatThrownBy(() -> Idx.readLabels(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("label 1 is 12, expected 0-9");
    }

    @Test
    void rejects_images_and_labels_that_do_not_match_in_count() throws IOException {
        Path images = dir.resolve("images-idx3-ubyte");
        Path labels = dir.resolve("labels-idx1-ubyte");
        Idx.writeImages(images, 28, 28, new byte[4 * 784]);
        Idx.writeLabels(labels, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> Idx.read(images, labels))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("holds 3 labels but " + images + " holds 4 images");
    }

    @Test
    void rejects_damaged_gzip_data() throws IOException {
        Path file = dir.resolve("damaged-idx3-ubyte.gz");
        byte[] good = Files.readAllBytes(TestData.file(MnistFiles.TEST_LABELS));
        write(file, Arrays.copyOf(good, good.length / 2));

        assertThatThrownBy(() -> Idx.readLabels(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("damaged gzip data");
    }

    @Test
    void rejects_a_missing_file() {
        Path file = dir.resolve("nothing-here");

        assertThatThrownBy(() -> Idx.readLabels(file))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(file + ": no such file");
    }

    @Test
    void reads_images_of_other_sizes() throws IOException {
        Path file = dir.resolve("wide-idx3-ubyte.gz");
        byte[] pixels = new byte[2 * 10 * 40];
        pixels[5] = (byte) 200;
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(header(2051, 2, 10, 40));
            out.write(pixels);
        }

        Idx.ImageFile images = Idx.readImages(file);

        assertThat(images.count()).isEqualTo(2);
        assertThat(images.rows()).isEqualTo(10);
        assertThat(images.cols()).isEqualTo(40);
        assertThat(images.pixels()[5] & 0xff).isEqualTo(200);
    }

    private static byte[] header(int... ints) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int v : ints) {
                out.writeInt(v);
            }
        }
        return bytes.toByteArray();
    }

    private static void write(Path file, byte[]... parts) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] part : parts) {
                out.write(part);
            }
        }
    }
}
