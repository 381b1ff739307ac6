package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.segment.NumberTooLongException;
import dev.stratus.server.pipeline.ClassifiedNumber;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.core.segment.Box;
import dev.stratus.server.store.NumberDigit;
import dev.stratus.server.store.NumberRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A number's bytes on the topics, without a broker. */
class NumberMessagesTest {

    @Test
    void an_image_travels_deflated_and_arrives_with_every_grey_level_and_the_gateways_maximum() {
        byte[] grey = new byte[300 * 80];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) (i % 97 == 0 ? i % 256 : 255);
        }
        GreyImage image = GreyImage.fromUnsignedBytes(300, 80, grey, 0);

        byte[] message = NumberMessages.request(image, 12);
        NumberMessages.Request request = NumberMessages.request(message);

        assertThat(NumberMessages.isNumber(message)).isTrue();
        assertThat(message.length).as("mostly background: far smaller than its pixels").isLessThan(grey.length / 4);
        assertThat(request.image()).isEqualTo(image);
        assertThat(request.maxDigits()).isEqualTo(12);
        assertThat(NumberMessages.isNumber(DigitMessages.request(WorkerFixtures.image(0)))).isFalse();
    }

    @Test
    void an_image_that_does_not_compress_into_one_message_is_refused_at_the_gateway() {
        byte[] noise = new byte[2048 * 1024];
        new Random(1).nextBytes(noise);
        GreyImage image = GreyImage.fromUnsignedBytes(2048, 1024, noise, 0);

        assertThatThrownBy(() -> NumberMessages.request(image, 16)).isInstanceOf(BadInputException.class)
                .satisfies(e -> assertThat(((BadInputException) e).code()).isEqualTo("image_too_detailed"));
    }

    @Test
    void a_reply_carries_the_stored_number_or_the_reason_none_was_read() throws Exception {
        float[] probabilities = {0.01f, 0.02f, 0.03f, 0.04f, 0.7f, 0.05f, 0.06f, 0.04f, 0.03f, 0.02f};
        byte[] input = new byte[784];
        input[400] = (byte) 200;
        NumberRecord stored = new NumberRecord("n1", Instant.now().truncatedTo(ChronoUnit.MICROS), "m",
                List.of(new NumberDigit(probabilities, new Box(3, 4, 20, 28), input),
                        new NumberDigit(probabilities, new Box(30, 2, 18, 27), input)), null, null);

        ClassifiedNumber back = NumberMessages.reply(NumberMessages.reply(NumberMessages.Reply.read("n1", stored, 5, 7)))
                .toClassified();
        NumberMessages.Reply tooLong = NumberMessages.reply(NumberMessages.reply(NumberMessages.Reply.refused("n2",
                new NumberTooLongException("the image holds 9 digits; a number has at most 3", 3))));
        NumberMessages.Reply none = NumberMessages.reply(NumberMessages.reply(NumberMessages.Reply.refused("n3",
                new BlankImageException("only specks"))));

        assertThat(back.record()).isEqualTo(stored);
        assertThat(List.of(back.queueMicros(), back.inferenceMicros())).containsExactly(5L, 7L);
        assertThatThrownBy(tooLong::toClassified).isInstanceOf(NumberTooLongException.class).hasMessageContaining("at most 3");
        assertThatThrownBy(none::toClassified).isInstanceOf(BlankImageException.class).hasMessage("only specks");
        assertThatThrownBy(() -> NumberMessages.reply("{\"id\": \"n4\"}".getBytes()))
                .isInstanceOf(java.io.IOException.class);
    }
}
