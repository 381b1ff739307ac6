package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.verdict.Precheck;
import dev.stratus.core.verdict.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The gateway's precheck travels to the worker, and the worker's verdict back, through the digit messages. */
class PrecheckMessagesTest {
    private static DigitImage image() {
        float[] pixels = new float[Mnist.PIXELS];
        pixels[300] = 1f;
        return new DigitImage(pixels);
    }

    @Test
    void a_request_without_a_precheck_stays_version_1_and_one_with_it_carries_it() {
        assertThat(DigitMessages.request(image(), Precheck.NONE)).isEqualTo(DigitMessages.request(image()));
        DigitMessages.Request small = DigitMessages.decode(DigitMessages.request(image(), Precheck.TOO_SMALL));
        assertThat(small.precheck()).isEqualTo(Precheck.TOO_SMALL);
        assertThat(small.image()).isEqualTo(image());
        DigitMessages.Request several = DigitMessages.decode(DigitMessages.request(image(), Precheck.several("42")));
        assertThat(several.precheck()).isEqualTo(Precheck.several("42"));
        assertThat(DigitMessages.decode(DigitMessages.request(image())).precheck()).isEqualTo(Precheck.NONE);
    }

    @Test
    void a_bad_precheck_is_refused() {
        byte[] value = DigitMessages.request(image(), Precheck.several("42"));
        value[1] = 9;
        assertThatThrownBy(() -> DigitMessages.decode(value)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DigitMessages.decode(new byte[] {3, 1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_reply_carries_the_verdict_and_a_reply_without_one_still_reads() throws Exception {
        float[] p = {0.1f, 0.9f, 0, 0, 0, 0, 0, 0, 0, 0};
        String created = Instant.parse("2026-12-02T00:00:00Z").toString();
        DigitMessages.Reply reply = new DigitMessages.Reply("id-1", 1, p, "m1", created, 1, 2, 3, Verdict.SEVERAL, "17");
        DigitMessages.Reply read = DigitMessages.reply(DigitMessages.reply(reply));
        assertThat(read.verdict()).isEqualTo(Verdict.SEVERAL);
        assertThat(read.toClassified(image()).record().number()).isEqualTo("17");
        String old = "{\"id\":\"id-1\",\"digit\":1,\"probabilities\":[0.1,0.9,0,0,0,0,0,0,0,0],\"modelVersion\":\"m1\","
                + "\"createdAt\":\"" + created + "\",\"queueMicros\":1,\"inferenceMicros\":2,\"batchSize\":3}";
        assertThat(DigitMessages.reply(old.getBytes()).verdict()).isNull();
    }
}
