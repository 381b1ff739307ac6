package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.server.Digits;
import org.junit.jupiter.api.Test;

class DigitMessagesTest {

    @Test
    void a_request_carries_the_preprocessed_image_exactly_to_a_byte() {
        DigitImage image = new Preprocessor().apply(Digits.mnist().image(0));

        DigitImage decoded = DigitMessages.image(DigitMessages.request(image));

        assertThat(decoded.toUnsignedBytes()).isEqualTo(image.toUnsignedBytes());
    }

    @Test
    void bad_requests_say_what_is_wrong() {
        assertThatThrownBy(() -> DigitMessages.image(new byte[] {1, 2, 3})).hasMessageContaining("expected 785 bytes, got 3");
        byte[] wrongVersion = new byte[785];
        wrongVersion[0] = 9;
        assertThatThrownBy(() -> DigitMessages.image(wrongVersion)).hasMessageContaining("unknown message version 9");
        assertThatThrownBy(() -> DigitMessages.image(null)).hasMessageContaining("empty");
    }

    @Test
    void a_reply_round_trips_and_a_bad_one_is_refused() throws Exception {
        float[] p = new float[10];
        p[4] = 1f;
        // A worker's record is made to the microsecond (what every store keeps).
        java.time.Instant created = java.time.Instant.parse("2026-12-01T10:00:00.123456Z");
        DigitMessages.Reply reply = new DigitMessages.Reply("id-1", 4, p, "m1", created.toString(), 10, 20, 3);

        DigitMessages.Reply back = DigitMessages.reply(DigitMessages.reply(reply));

        var record = back.toClassified(WorkerFixtures.image(0)).record();
        assertThat(record.digit()).isEqualTo(4);
        assertThat(record.modelVersion()).isEqualTo("m1");
        assertThat(record.createdAt()).as("the worker's time, to the microsecond").isEqualTo(created);
        assertThat(record.input()).isEqualTo(WorkerFixtures.image(0).toUnsignedBytes());
        assertThatThrownBy(() -> DigitMessages.reply("{\"id\":\"x\",\"digit\":12,\"probabilities\":[]}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
