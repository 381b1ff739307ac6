package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.stratus.server.web.MnistPen.Point;
import dev.stratus.server.web.MnistPen.Stroke;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * What the page says when a drawing is not one clear digit, in a real browser against a real
 * server: a dot is too small to read, a scribble is no confident digit, two digits are several
 * (and "Read as a number" reads them in number mode); and the "why" view over the 28x28 input.
 * The verdict tests need a server that answers with a verdict (issue 17's API side).
 */
class VerdictTest extends PageTest {
    @BeforeEach
    void openThePage() {
        page.open();
    }

    @Test
    void a_dot_is_too_small_to_read_and_shows_no_digit() throws Exception {
        assumeVerdicts();
        double w = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), List.of(new Stroke(List.of(new Point(w / 2, w / 2)))));

        predict();

        assertThat(page.attribute("#result", "data-verdict")).isEqualTo("too_small");
        assertThat(page.text("#digit")).as("no confident digit").isEmpty();
        assertThat(page.text("#confidence")).isEmpty();
        assertThat(page.text("#verdict-note")).contains("Too small or too faint");
        assertThat(page.text("#announce")).isEqualTo("Too small or too faint to read.");
        assertThat(page.text("#buffer")).as("nothing added to Your digits").isEmpty();
    }

    @Test
    void a_scribble_is_not_answered_as_a_confident_digit() throws Exception {
        assumeVerdicts();
        double w = page.canvas().getSize().getWidth();
        Random random = new Random(17);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            points.add(new Point(w * (0.1 + 0.8 * random.nextDouble()), w * (0.1 + 0.8 * random.nextDouble())));
        }
        MnistPen.drawWithMouse(page.browser(), page.canvas(), List.of(new Stroke(points)));

        predict();

        assertThat(page.attribute("#result", "data-verdict")).isIn("unsure", "several", "too_small");
        assertThat(page.text("#confidence")).doesNotContain("confident");
        assertThat(page.text("#verdict-note")).isNotEmpty();
    }

    @Test
    void two_digits_are_several_and_read_as_a_number_on_request() throws Exception {
        assumeVerdicts();
        double w = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(),
                MnistPen.strokesOf(pen.traceNumber(new int[] {pen.testImageOf(4, 0), pen.testImageOf(2, 0)}, w, w)));

        predict();

        assertThat(page.attribute("#result", "data-verdict")).isEqualTo("several");
        assertThat(page.text("#digit")).isEmpty();
        assertThat(page.text("#verdict-note")).contains("several digits");
        page.click("#read-as-number");
        page.waitUntil(() -> page.idle() && "ready".equals(page.attribute("#number-result", "data-state")));

        assertThat(page.attribute("body", "data-mode")).isEqualTo("number");
        assertThat(page.inkPixels("canvas")).as("the same drawing, on the number canvas").isPositive();
        assertThat(page.text("#number")).isEqualTo("42");
        assertThat(page.focusedId()).as("focus not lost to the body").isEqualTo("predict");
        page.chooseMode("digit");
    }

    /** Whatever the server answers /why with, the page follows it: an overlay, or no button. */
    @Test
    void the_why_view_shows_the_servers_heatmap_or_goes_away_cleanly() throws Exception {
        double w = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), pen.trace(pen.testImageOf(3, 0), 0, 0, w).strokes());
        predict();
        String id = page.attribute("#result", "data-prediction-id");
        int status = page.getStatus("/api/v1/predictions/" + id + "/why");

        page.click("#why");
        page.waitUntil(() -> page.text("#why-status").isEmpty() || page.text("#why-status").contains("cannot"));

        if (status == 200) {
            assertThat(page.browser().findElement(By.id("why-overlay")).isDisplayed()).isTrue();
            assertThat(page.text("#why-legend")).contains("made it a " + page.text("#digit"));
            assertThat(page.attribute("#why", "aria-pressed")).isEqualTo("true");
            assertThat(page.inkPixels("why-overlay")).as("a heatmap painted").isPositive();
        } else {
            assertThat(page.browser().findElement(By.id("why")).isDisplayed()).as("no button once the server cannot").isFalse();
            assertThat(page.browser().findElement(By.id("why-overlay")).isDisplayed()).isFalse();
            assertThat(page.text("#why-status")).isEqualTo("This server cannot show why.");
            assertThat(page.text("#error")).isEmpty();
        }
        assertThat(page.text("#digit")).as("the answer stays").isNotEmpty();
    }

    private static void predict() {
        page.click("#predict");
        page.waitUntil(() -> page.idle() && "ready".equals(page.attribute("#result", "data-state")));
        assertThat(page.text("#error")).isEmpty();
    }

    /** The verdicts come from the server; one that answers without them cannot be asked about them. */
    private static void assumeVerdicts() throws Exception {
        String one = "{\"pixels\":[" + "0,".repeat(783) + "255]}";
        assumeThat(page.postJson("/api/v1/predictions", one).has("verdict"))
                .as("the server answers with a verdict (trust-api)").isTrue();
    }
}
