package dev.stratus.server.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The streaming reader of JSON bodies: every way a body can be wrong names the problem. */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(new ObjectMapper());

    private static String pixels(String first) {
        return "{\"pixels\":[" + first + "," + String.join(",", Collections.nCopies(783, "0")) + "]}";
    }

    private GreyImage decode(String body) {
        return decoder.fromJson(body.getBytes(StandardCharsets.UTF_8));
    }

    private void assertProblem(String body, String code, String detail) {
        assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(BadInputException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(detail);
        });
    }

    @Test
    void reads_784_numbers_whatever_their_notation_and_ignores_other_fields() {
        GreyImage image = decode("{\"note\":{\"a\":[1,2]}," + pixels("2.55e2").substring(1));

        assertThat(image.width()).isEqualTo(28);
        assertThat(image.at(0, 0)).isEqualTo(1f);
        assertThat(image.at(1, 0)).isZero();
    }

    @Test
    void the_plain_loop_reads_what_the_json_reader_reads_and_leaves_everything_else_to_it() {
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 200; n++) {
            int[] values = random.ints(784, 0, 256).toArray();
            String[] spaces = {"", " ", "\n", "\r\n\t "};
            String space = spaces[n % spaces.length];
            StringBuilder body = new StringBuilder(space + "{" + space + "\"pixels\"" + space + ":" + space + "[");
            for (int i = 0; i < values.length; i++) {
                body.append(i > 0 ? space + "," + space : space).append(values[i]);
            }
            body.append(space).append("]").append(space).append("}").append(space);
            byte[] bytes = body.toString().getBytes(StandardCharsets.US_ASCII);

            float[] plain = ImageDecoder.plainPixels(bytes);
            assertThat(plain).as(body.toString()).isNotNull();
            float[] expected = GreyImage.fromIntensities(28, 28, java.util.Arrays.stream(values).asDoubleStream().toArray())
                    .pixels();
            assertThat(plain).containsExactly(expected);
            assertThat(decoder.fromJson(bytes).pixels()).containsExactly(expected);
        }
        for (String other : new String[] {pixels("256"), pixels("1000"), pixels("007"), pixels("-1"), pixels("1.5"),
                pixels("1e2"), pixels("0,0"), "{\"pixels\":[1,2,3]}", "{\"pixels\":[]}", pixels("0") + "x",
                pixels("0").replace("}", ",\"more\":1}"), "{\"image\":\"x\"}", "", "{", "{\"pixels\"",
                "{\"pixels\":[", pixels("0").substring(0, 100), "{\"pixels\":[0,]}"}) {
            assertThat(ImageDecoder.plainPixels(other.getBytes(StandardCharsets.UTF_8))).as(other).isNull();
        }
    }

    @Test
    void names_the_first_bad_pixel_as_the_client_wrote_it() {
        assertProblem(pixels("256"), "invalid_pixels", "pixel 0 is 256,");
        assertProblem(pixels("-0.5"), "invalid_pixels", "pixel 0 is -0.5,");
        assertProblem(pixels("99999999999999999999999999"), "invalid_pixels", "pixel 0 is 99999999999999999999999999,");
        assertProblem(pixels("1e400"), "invalid_pixels", "pixel 0 is 1e400,");
        assertProblem(pixels("\"NaN\""), "invalid_pixels", "pixel 0 is \"NaN\",");
        assertProblem(pixels("[1,[2]]"), "invalid_pixels", "pixel 0 is an array,");
        assertProblem(pixels("{\"x\":1}"), "invalid_pixels", "pixel 0 is an object,");
        assertProblem(pixels("null"), "invalid_pixels", "pixel 0 is null,");
    }

    @Test
    void counts_every_element_of_a_wrong_length_array() {
        assertProblem("{\"pixels\":[1,2,3]}", "invalid_pixels", "got 3");
        assertProblem(pixels("0,0"), "invalid_pixels", "got 785");
        assertProblem("{\"pixels\":[]}", "invalid_pixels", "got 0");
        assertProblem("{\"pixels\":\"0,0\"}", "invalid_pixels", "must be an array");
    }

    @Test
    void a_body_that_is_not_json_is_malformed_even_when_its_pixels_are_wrong_too() {
        assertProblem("{\"pixels\":[300,", "malformed_json", "not valid JSON");
        assertProblem("{\"pixels\":[1,2]", "malformed_json", "not valid JSON");
        assertProblem("", "malformed_json", "JSON object");
        assertProblem("[1,2,3]", "malformed_json", "JSON object");
        assertProblem("{\"pixels\":[1,2,}", "malformed_json", "not valid JSON");
    }

    @Test
    void pixels_and_image_together_are_ambiguous_and_neither_is_missing() {
        assertProblem("{\"image\":\"x\"," + pixels("300").substring(1), "ambiguous_input", "not both");
        assertProblem("{\"other\":1}", "missing_input", "\"pixels\"");
        assertProblem("{\"image\":42}", "invalid_image", "must be a string");
    }

    private static byte[] png(int width, int height, int type) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = height / 4; y < 3 * height / 4; y++) {
            if (type == BufferedImage.TYPE_3BYTE_BGR) {
                image.setRGB(width / 2, y, 0x0000ff);
            } else {
                image.getRaster().setSample(width / 2, y, 0, type == BufferedImage.TYPE_USHORT_GRAY ? 65_535 : 255);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void a_png_over_two_megapixels_is_refused_and_a_wide_canvas_is_not() throws IOException {
        assertThatThrownBy(() -> decoder.fromPng(png(2048, 1025, BufferedImage.TYPE_BYTE_GRAY)))
                .isInstanceOfSatisfying(BadInputException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_image");
                    assertThat(e.getMessage()).contains("2048x1025").contains("2097152 pixels in all");
                });
        GreyImage wide = decoder.fromPng(png(2048, 1024, BufferedImage.TYPE_BYTE_GRAY));
        assertThat(wide.width()).isEqualTo(2048);
        assertThat(wide.at(1024, 512)).isEqualTo(1f);
        assertThat(wide.at(0, 512)).isZero();
    }

    @Test
    void large_decodes_beyond_the_bound_are_refused_at_once_while_small_ones_go_on() throws IOException {
        Semaphore permits = new Semaphore(1);
        ImageDecoder bounded = new ImageDecoder(new ObjectMapper(), permits);
        byte[] large = png(600, 600, BufferedImage.TYPE_BYTE_GRAY);
        byte[] small = png(280, 280, BufferedImage.TYPE_BYTE_GRAY);

        permits.acquireUninterruptibly();
        assertThatThrownBy(() -> bounded.fromPng(large)).isInstanceOf(DecoderBusyException.class);
        assertThat(bounded.fromPng(small).width()).isEqualTo(280);
        permits.release();

        assertThat(bounded.fromPng(large).width()).isEqualTo(600);
        assertThat(permits.availablePermits()).isEqualTo(1);
        assertThatThrownBy(() -> bounded.fromPng(Arrays.copyOf(large, large.length / 2)))
                .isInstanceOf(BadInputException.class);
        assertThat(permits.availablePermits()).as("a failed decode gives its permit back").isEqualTo(1);
    }

    @Test
    void sixteen_bit_and_colour_pngs_decode_to_the_same_grey() throws IOException {
        GreyImage deep = decoder.fromPng(png(64, 64, BufferedImage.TYPE_USHORT_GRAY));
        GreyImage colour = decoder.fromPng(png(64, 64, BufferedImage.TYPE_3BYTE_BGR));

        assertThat(deep.at(32, 32)).isEqualTo(1f);
        assertThat(deep.at(0, 0)).isZero();
        // Pure blue: luminance 0.114.
        assertThat(colour.at(32, 32)).isCloseTo(0.114f, org.assertj.core.data.Offset.offset(0.002f));
    }
}
