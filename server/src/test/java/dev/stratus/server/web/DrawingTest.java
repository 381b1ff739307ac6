package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.stratus.server.web.MnistPen.Point;
import dev.stratus.server.web.MnistPen.Stroke;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

/**
 * What the page does while a person draws, in digit mode, in a real browser against a real
 * server: live answers without Predict, undo of the last stroke (button and Ctrl+Z), no stale
 * answer after Clear, continuous strokes however fast the pen moves, and the remembered mode.
 */
class DrawingTest extends PageTest {
    @BeforeEach
    void openThePage() {
        page.open();
    }

    @Test
    void answers_while_drawing_without_predict_and_keeps_one_entry_per_drawing() {
        List<Stroke> strokes = digitStrokes(3);
        assertThat(strokes).as("the tracing has many strokes, each ending with a live request").hasSizeGreaterThan(10);

        MnistPen.drawWithMouse(page.browser(), page.canvas(), strokes);
        waitForAnswer();

        assertThat(page.text("#digit")).matches("\\d");
        assertThat(page.attribute("#result", "data-prediction-id")).isNotBlank();
        assertThat(page.text("#buffer")).as("one entry for the one drawing").isEqualTo(page.text("#digit"));
        assertThat(page.text("#error")).isEmpty();
    }

    @Test
    void undo_removes_the_last_stroke_and_the_answer_follows_the_drawing() {
        MnistPen.drawWithMouse(page.browser(), page.canvas(), digitStrokes(7));
        waitForAnswer();
        long drawn = page.canvasChecksum("canvas");
        long ink = page.inkPixels("canvas");
        String digit = page.text("#digit");
        String first = page.attribute("#result", "data-prediction-id");

        String second = addStrokeAndWait(first);
        assertThat(page.inkPixels("canvas")).isGreaterThan(ink);
        new Actions(page.browser()).keyDown(Keys.CONTROL).sendKeys("z").keyUp(Keys.CONTROL).perform();
        String third = waitForNewAnswer(second);

        assertThat(page.inkPixels("canvas")).as("Ctrl+Z gives back the pixels from before the stroke").isEqualTo(ink);
        assertThat(page.canvasChecksum("canvas")).isEqualTo(drawn);
        assertThat(page.text("#digit")).as("the same drawing, the same answer").isEqualTo(digit);
        assertThat(page.text("#buffer")).as("still one entry for the one drawing").isEqualTo(digit);

        addStrokeAndWait(third);
        page.click("#undo");
        waitForNewAnswer(third);
        assertThat(page.canvasChecksum("canvas")).as("the Undo button does the same").isEqualTo(drawn);
    }

    @Test
    void undoing_every_stroke_empties_the_canvas_and_every_answer_element() {
        int width = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), List.of(
                stroke(0.5 * width, 0.2 * width, 0.5 * width, 0.8 * width),
                stroke(0.4 * width, 0.3 * width, 0.5 * width, 0.2 * width)));
        waitForAnswer();

        page.click("#undo");
        page.click("#undo");
        page.waitUntil(page::idle);

        assertThat(page.inkPixels("canvas")).isZero();
        assertNoAnswer();
    }

    /** The server is slowed down so that Clear lands while the request for the drawing is in flight. */
    @Test
    void an_answer_for_a_cleared_drawing_never_shows() throws InterruptedException {
        page.browser().executeCdpCommand("Network.enable", Map.of());
        page.browser().executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false,
                "latency", 1500, "downloadThroughput", -1, "uploadThroughput", -1));
        try {
            MnistPen.drawWithMouse(page.browser(), page.canvas(), digitStrokes(4));
            // Past the live delay: the request is on its way, its answer 1.5 s out at least.
            Thread.sleep(600);
            assertThat(page.idle()).as("a request in flight").isFalse();

            page.click("#clear-canvas");
            // Give a stale answer every chance to arrive and show.
            Thread.sleep(3000);

            assertThat(page.idle()).isTrue();
            assertNoAnswer();
            assertThat(page.text("#buffer")).isEmpty();
        } finally {
            page.browser().executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false,
                    "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
            page.browser().executeCdpCommand("Network.disable", Map.of());
        }
    }

    /** Five samples for a whole zigzag, as a fast pen gives: the curve between them leaves no gap. */
    @Test
    void a_fast_stroke_is_one_continuous_line() {
        int w = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), List.of(new Stroke(List.of(
                new Point(0.1 * w, 0.2 * w), new Point(0.35 * w, 0.8 * w), new Point(0.55 * w, 0.2 * w),
                new Point(0.75 * w, 0.8 * w), new Point(0.9 * w, 0.2 * w)))));

        assertThat(inkComponents()).as("separate pieces of ink on the canvas").isEqualTo(1);
        assertThat(page.inkPixels("canvas")).isPositive();
    }

    @Test
    void the_mode_switch_works_from_the_keyboard_and_is_remembered() {
        page.browser().findElement(By.id("mode-digit")).sendKeys(Keys.ARROW_RIGHT);
        page.waitUntil(() -> "number".equals(page.attribute("body", "data-mode")));
        assertThat(canvasAspect()).as("number mode's wide canvas").isCloseTo(3.5, offset(0.05));

        page.open();
        assertThat(page.attribute("body", "data-mode")).isEqualTo("number");
        assertThat(page.browser().findElement(By.id("mode-number")).isSelected()).isTrue();
        assertThat(page.browser().findElement(By.id("number-result")).isDisplayed()).isTrue();
        assertThat(page.browser().findElement(By.id("result")).isDisplayed()).isFalse();

        page.chooseMode("digit");
        page.open();
        assertThat(page.attribute("body", "data-mode")).isEqualTo("digit");
        assertThat(canvasAspect()).isCloseTo(1.0, offset(0.01));
    }

    // ---------- helpers ----------

    private List<Stroke> digitStrokes(int digit) {
        int width = page.canvas().getSize().getWidth();
        return pen.trace(pen.testImageOf(digit, 0), 0, 0, width).strokes();
    }

    private static Stroke stroke(double x0, double y0, double x1, double y1) {
        return new Stroke(List.of(new Point(x0, y0), new Point(x1, y1)));
    }

    /** Adds a diagonal stroke low on the canvas and waits for the answer to the new drawing. */
    private String addStrokeAndWait(String before) {
        int width = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(),
                List.of(stroke(0.15 * width, 0.9 * width, 0.85 * width, 0.75 * width)));
        return waitForNewAnswer(before);
    }

    private void waitForAnswer() {
        page.waitUntil(() -> page.idle() && !page.text("#digit").isEmpty());
        assertThat(page.attribute("#result", "data-stale")).isEqualTo("false");
    }

    private String waitForNewAnswer(String before) {
        page.waitUntil(() -> page.idle() && !page.attribute("#result", "data-prediction-id").equals(before));
        assertThat(page.attribute("#result", "data-stale")).isEqualTo("false");
        return page.attribute("#result", "data-prediction-id");
    }

    private void assertNoAnswer() {
        assertThat(page.text("#digit")).isEmpty();
        assertThat(page.text("#confidence")).isEmpty();
        assertThat(page.browser().findElements(By.cssSelector("#top3 li"))).isEmpty();
        assertThat(page.attribute("#result", "data-state")).isEqualTo("empty");
        assertThat(page.inkPixels("preview")).isZero();
        assertThat(page.browser().findElements(By.cssSelector("#chart .bar"))).allSatisfy(
                bar -> assertThat(bar.getDomAttribute("data-probability")).isEqualTo("0"));
        assertThat(page.text("#error")).isEmpty();
    }

    private double canvasAspect() {
        return page.canvas().getSize().getWidth() / (double) page.canvas().getSize().getHeight();
    }

    /** Connected pieces of lit pixels on the canvas (4-neighbours). */
    private long inkComponents() {
        return ((Number) page.js("""
                const canvas = document.getElementById('canvas');
                const w = canvas.width, h = canvas.height;
                const data = canvas.getContext('2d').getImageData(0, 0, w, h).data;
                const seen = new Uint8Array(w * h);
                let pieces = 0;
                for (let start = 0; start < w * h; start++) {
                    if (seen[start] || !data[start * 4]) continue;
                    pieces++;
                    const stack = [start];
                    seen[start] = 1;
                    while (stack.length) {
                        const i = stack.pop(), x = i % w;
                        for (const j of [i - w, i + w, x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1]) {
                            if (j >= 0 && j < w * h && !seen[j] && data[j * 4]) { seen[j] = 1; stack.push(j); }
                        }
                    }
                }
                return pieces;""")).longValue();
    }
}
