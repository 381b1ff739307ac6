package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.server.web.MnistPen.Digit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Number mode in a real browser against a real server: numbers traced from MNIST test digits,
 * drawn stroke by stroke with the mouse (and with touch on a phone), read live; each digit's box
 * over the drawing, its 28x28 input and top three; correcting one digit; undo.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NumberModeTest extends PageTest {
    /**
     * Numbers drawn for the recognised share, half of three digits, half of four (6 in the suite,
     * which is at its time budget: a floor, not a measurement); more with
     * {@code -Dstratus.browser.numbers=N} for a measurement.
     */
    private static final int SHARE_NUMBERS = Integer.getInteger("stratus.browser.numbers", 6);

    /** A box over the drawing, in CSS pixels from the canvas's top left corner. */
    private record Box(double left, double top, double right, double bottom) {
    }

    @BeforeEach
    void openThePageInNumberMode() {
        page.open();
        page.chooseMode("number");
    }

    @Test
    @Order(1)
    void reads_a_three_digit_number_drawn_stroke_by_stroke_with_a_box_per_digit() {
        List<Digit> drawn = draw(new int[] {3, 8, 5}, 1);

        assertThat(page.text("#number")).isEqualTo("385");
        assertAnswerFits(drawn);
        assertThat(page.text("#buffer")).isEqualTo("385");
    }

    @Test
    @Order(2)
    void reads_a_four_digit_number_drawn_stroke_by_stroke_with_a_box_per_digit() throws IOException {
        List<Digit> drawn = draw(new int[] {2, 0, 4, 7}, 0);

        assertThat(page.text("#number")).isEqualTo("2047");
        assertAnswerFits(drawn);
        assertThat(page.consoleProblems()).as("number mode under the CSP").isEmpty();
        page.saveScreenshot("number.png");
        page.js("document.getElementById('number-result').scrollIntoView();");
        page.saveScreenshot("number-answer.png");
    }

    @Test
    @Order(3)
    void corrects_one_digit_and_the_server_keeps_the_whole_corrected_number() throws Exception {
        draw(new int[] {6, 1, 9}, 0);
        String read = page.text("#number");
        String id = page.attribute("#number-result", "data-number-id");
        assertThat(id).isNotBlank();
        int wrong = (read.charAt(1) - '0' + 1) % 10;
        String corrected = read.charAt(0) + String.valueOf(wrong) + read.substring(2);

        page.click(".number-digit[data-index='1'] .digit-pick");
        assertThat(page.browser().findElement(By.id("number-fix")).isDisplayed()).isTrue();
        page.click(".fix-key[data-digit='" + wrong + "']");
        page.waitUntil(() -> page.text("#number-status").startsWith("Thanks"));

        assertThat(page.text("#number-status")).isEqualTo("Thanks, recorded as " + corrected);
        assertThat(page.text("#number")).isEqualTo(corrected);
        assertThat(page.attribute(".number-digit[data-index='1']", "data-corrected")).isEqualTo("true");
        assertThat(page.attribute(".number-digit[data-index='0']", "data-corrected")).isEqualTo("false");
        assertThat(page.text("#buffer")).as("Your digits shows the correction").isEqualTo(corrected);
        JsonNode record = page.getJson("/api/v1/numbers/" + id);
        assertThat(record.path("label").asText()).isEqualTo(corrected);
        assertThat(record.path("number").asText()).isEqualTo(read);
    }

    @Test
    @Order(4)
    void undo_takes_the_last_digit_off_the_drawing_and_the_answer_and_clear_takes_all() {
        List<Digit> three = draw(new int[] {4, 2, 8}, 1);
        String before = page.text("#number");
        long pixels = page.canvasChecksum("canvas");
        String id = page.attribute("#number-result", "data-number-id");
        double width = page.canvas().getSize().getWidth();
        double x = Math.min(width - 12, three.get(2).right() + 0.12 * width);

        MnistPen.drawWithMouse(page.browser(), page.canvas(), List.of(new MnistPen.Stroke(List.of(
                new MnistPen.Point(x, three.get(2).top()), new MnistPen.Point(x, three.get(2).bottom())))));
        String longer = waitForNewAnswer(id);
        assertThat(page.text("#number")).as("a 1 added at the end").hasSize(before.length() + 1);

        page.click("#undo");
        waitForNewAnswer(longer);

        assertThat(page.canvasChecksum("canvas")).as("pixels back to before the stroke").isEqualTo(pixels);
        assertThat(page.text("#number")).isEqualTo(before);
        assertThat(boxes()).hasSize(before.length());

        page.click("#clear-canvas");
        assertThat(page.inkPixels("canvas")).isZero();
        assertThat(boxes()).as("Clear takes the boxes off").isEmpty();
        assertThat(page.text("#number")).isEmpty();
        assertThat(page.text("#number-confidence")).isEmpty();
        assertThat(page.browser().findElements(By.cssSelector("#number-digits li"))).isEmpty();
        assertThat(page.attribute("#number-result", "data-state")).isEqualTo("empty");
    }

    @Test
    @Order(5)
    void your_digits_keeps_digits_and_numbers_in_the_order_they_were_drawn() {
        page.chooseMode("digit");
        int width = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), pen.trace(pen.testImageOf(1, 0), 0, 0, width).strokes());
        page.waitUntil(() -> page.idle() && !page.text("#digit").isEmpty());
        String digit = page.text("#digit");

        page.chooseMode("number");
        assertThat(page.inkPixels("canvas")).as("a new mode starts a new drawing").isZero();
        draw(new int[] {9, 0}, 0);

        assertThat(page.text("#buffer")).isEqualTo(digit + " " + page.text("#number"));
    }

    /** The recognised share is printed for the benchmarks; half of the numbers is a floor, not a target. */
    @Test
    @Order(6)
    void reads_most_numbers_drawn_from_mnist_test_digits() {
        Random random = new Random(16);
        List<String> wrong = new ArrayList<>();
        int boxesRight = 0;
        for (int k = 0; k < SHARE_NUMBERS; k++) {
            int[] digits = random.ints(3 + k % 2, 0, 10).toArray();
            page.click("#clear-canvas");
            draw(digits, 2 + k);
            String expected = Arrays.stream(digits).mapToObj(String::valueOf).collect(Collectors.joining());
            String read = page.text("#number");
            boxesRight += boxes().size() == digits.length ? 1 : 0;
            if (!read.equals(expected)) {
                wrong.add(expected + " read as " + read);
            }
        }
        int right = SHARE_NUMBERS - wrong.size();
        System.out.printf("Number mode: %d of %d drawn numbers read exactly, %d with one box per digit; wrong: %s%n",
                right, SHARE_NUMBERS, boxesRight, wrong);
        assertThat(right).as("numbers read right; wrong: %s", wrong).isGreaterThanOrEqualTo(SHARE_NUMBERS / 2);
    }

    @Test
    @Order(7)
    void fills_a_phone_screen_and_draws_with_touch_without_scrolling() throws IOException {
        page.emulatePhone();
        try {
            openThePageInNumberMode();
            assertCanvasFullyVisibleAndWide();
            Number scrolled = (Number) page.js("return window.scrollY;");

            List<Digit> drawn = pen.traceNumber(new int[] {pen.testImageOf(5, 0), pen.testImageOf(7, 0),
                    pen.testImageOf(3, 1)}, page.canvas().getSize().getWidth(), page.canvas().getSize().getHeight());
            MnistPen.drawWithTouch(page.browser(), page.canvas(), MnistPen.strokesOf(drawn));
            waitForAnswer();

            assertThat(((Number) page.js("return window.scrollY;")).doubleValue())
                    .as("the page did not scroll while drawing").isEqualTo(scrolled.doubleValue());
            assertCanvasFullyVisibleAndWide();
            assertThat(page.text("#number")).hasSize(3);
            assertThat(boxes()).hasSize(3);
            page.saveScreenshot("number-phone.png");
        } finally {
            page.stopEmulating();
        }
    }

    // ---------- drawing and waiting ----------

    /** Draws the n-th test image of each digit as one number, with the mouse, and waits for its answer. */
    private List<Digit> draw(int[] digits, int n) {
        int[] images = Arrays.stream(digits).map(d -> pen.testImageOf(d, n)).toArray();
        WebElement canvas = page.canvas();
        List<Digit> drawn = pen.traceNumber(images, canvas.getSize().getWidth(), canvas.getSize().getHeight());
        MnistPen.drawWithMouse(page.browser(), canvas, MnistPen.strokesOf(drawn));
        waitForAnswer();
        return drawn;
    }

    private void waitForAnswer() {
        page.waitUntil(() -> page.idle() && (!page.text("#number").isEmpty() || !page.text("#error").isEmpty()));
        assertThat(page.text("#error")).as("error shown for the drawing").isEmpty();
        assertThat(page.attribute("#number-result", "data-stale")).isEqualTo("false");
    }

    private String waitForNewAnswer(String before) {
        page.waitUntil(() -> page.idle() && !page.attribute("#number-result", "data-number-id").equals(before));
        waitForAnswer();
        return page.attribute("#number-result", "data-number-id");
    }

    // ---------- reading the answer ----------

    /**
     * One box per digit, left to right, inside the canvas and inside the area the strokes drew
     * (their points widened by the pen); each over its own digit. Each digit also shows its
     * 28x28 input and its top three.
     */
    private void assertAnswerFits(List<Digit> drawn) {
        double width = page.canvas().getSize().getWidth();
        double height = page.canvas().getSize().getHeight();
        double reach = Math.max(6, height * 20 / 280) / 2 + 2;
        List<Box> boxes = boxes();
        assertThat(boxes).as("one box per digit").hasSize(drawn.size());
        double inkLeft = drawn.get(0).left() - reach;
        double inkRight = drawn.get(drawn.size() - 1).right() + reach;
        double inkTop = drawn.stream().mapToDouble(Digit::top).min().orElseThrow() - reach;
        double inkBottom = drawn.stream().mapToDouble(Digit::bottom).max().orElseThrow() + reach;
        for (int i = 0; i < boxes.size(); i++) {
            Box box = boxes.get(i);
            Digit digit = drawn.get(i);
            assertThat(box.left()).as("box %d inside the canvas and the ink", i).isGreaterThanOrEqualTo(Math.max(-1, inkLeft));
            assertThat(box.right()).isLessThanOrEqualTo(Math.min(width + 1, inkRight));
            assertThat(box.top()).isGreaterThanOrEqualTo(Math.max(-1, inkTop));
            assertThat(box.bottom()).isLessThanOrEqualTo(Math.min(height + 1, inkBottom));
            assertThat((box.left() + box.right()) / 2).as("box %d over digit %d's strokes", i, i)
                    .isBetween(digit.left() - reach, digit.right() + reach);
            if (i > 0) {
                assertThat(box.left()).as("left to right").isGreaterThan(boxes.get(i - 1).left());
            }
        }
        assertThat(page.browser().findElements(By.cssSelector("#number-digits .number-digit"))).hasSize(drawn.size());
        assertThat(page.browser().findElements(By.cssSelector("#number-digits .number-digit"))).allSatisfy(item ->
                assertThat(item.findElements(By.cssSelector(".top3 li"))).hasSize(3));
        assertThat(((Number) page.js("""
                return [...document.querySelectorAll('#number-digits .digit-input')].filter((c) => {
                    const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
                    let lit = 0;
                    for (let i = 0; i < d.length; i += 4) if (d[i]) lit++;
                    return lit > 20;
                }).length;""")).intValue()).as("28x28 inputs with ink").isEqualTo(drawn.size());
        assertThat(page.text("#number-confidence")).matches("[<>]?\\d{1,3}\\.\\d% confident");
    }

    private List<Box> boxes() {
        List<?> rects = (List<?>) page.js("""
                const canvas = document.getElementById('canvas').getBoundingClientRect();
                return [...document.querySelectorAll('#boxes .digit-box')].map((node) => {
                    const r = node.getBoundingClientRect();
                    return [r.left - canvas.left, r.top - canvas.top, r.right - canvas.left, r.bottom - canvas.top];
                });""");
        return rects.stream().map(r -> (List<?>) r)
                .map(r -> new Box(number(r.get(0)), number(r.get(1)), number(r.get(2)), number(r.get(3))))
                .toList();
    }

    private void assertCanvasFullyVisibleAndWide() {
        Map<?, ?> layout = (Map<?, ?>) page.js("""
                const r = document.getElementById('canvas').getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
                        viewport: document.documentElement.clientWidth, viewportHeight: window.innerHeight,
                        scrollWidth: document.documentElement.scrollWidth};""");
        double viewport = number(layout.get("viewport"));
        assertThat(number(layout.get("scrollWidth"))).as("no sideways scrolling").isLessThanOrEqualTo(viewport);
        assertThat(number(layout.get("left"))).isGreaterThanOrEqualTo(0);
        assertThat(number(layout.get("top"))).isGreaterThanOrEqualTo(0);
        assertThat(number(layout.get("right"))).isLessThanOrEqualTo(viewport);
        assertThat(number(layout.get("bottom"))).as("the canvas above the fold")
                .isLessThanOrEqualTo(number(layout.get("viewportHeight")));
        assertThat(number(layout.get("width"))).as("the canvas fills the phone's width")
                .isGreaterThanOrEqualTo(viewport - 64);
        assertThat(number(layout.get("width")) / number(layout.get("height"))).isCloseTo(3.5, offset(0.6));
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
