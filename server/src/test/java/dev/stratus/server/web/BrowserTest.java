package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.core.image.Mnist;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The drawing page in digit mode in a real browser (Debian's headless Chromium) against a real
 * server on a free port. Digits are drawn with mouse strokes traced from real MNIST test images,
 * so the whole path runs: pointer events, the PNG the page sends, the server's preprocessing and
 * the model. The page predicts live as well; Predict asks again at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest extends PageTest {
    @BeforeEach
    void openThePage() {
        page.open();
    }

    @Test
    @Order(1)
    void loads_without_console_errors_under_the_servers_content_security_policy() {
        page.waitUntil(() -> !page.text("#server-status").startsWith("Checking"));

        assertThat(page.text("#server-status")).isEqualTo("Model ready");
        assertThat(page.browser().findElements(By.cssSelector("#chart .bar"))).hasSize(Mnist.CLASSES);
        assertThat(page.text("#error")).isEmpty();
        assertThat(page.browser().findElement(By.linkText("Source code")).getDomProperty("href"))
                .isEqualTo("https://github.com/stratus-digits/stratus");
        assertThat(page.browser().findElement(By.linkText("API docs")).getDomProperty("href"))
                .isEqualTo(page.url() + "/api/openapi.json");
        assertThat(page.consoleProblems()).isEmpty();
    }

    /** Tolerance: the strokes are a tracing, not handwriting, so one of the four may be misread. */
    @Test
    @Order(2)
    void recognises_at_least_three_of_four_digits_drawn_with_the_mouse() throws IOException {
        int[] digits = {0, 1, 3, 7};
        List<String> predicted = new ArrayList<>();
        for (int digit : digits) {
            page.click("#clear-canvas");
            drawDigit(digit);
            predicted.add(predictAndWait(predicted.size() + 1));

            assertThat(page.text("#digit")).isEqualTo(predicted.get(predicted.size() - 1));
            // One digit drawn: a digit, or a guess the page marks as unsure (a tracing can be odd).
            String verdict = page.attribute("#result", "data-verdict");
            assertThat(verdict).isIn("digit", "unsure");
            assertThat(page.text("#confidence")).matches(verdict.equals("unsure")
                    ? "Unsure, [<>]?\\d{1,3}\\.\\d%" : "[<>]?\\d{1,3}\\.\\d% confident");
            assertThat(page.browser().findElements(By.cssSelector("#top3 li"))).hasSize(3);
            double[] probabilities = chartProbabilities();
            assertThat(Arrays.stream(probabilities).sum()).isCloseTo(1.0, offset(1e-3));
            assertThat(page.inkPixels("preview")).as("pixels lit in the 28x28 preview").isGreaterThan(20);
        }
        assertThat(page.text("#buffer")).isEqualTo(String.join(" ", predicted));
        long right = IntStream.range(0, digits.length)
                .filter(i -> predicted.get(i).equals(String.valueOf(digits[i])))
                .count();
        assertThat(right).as("digits %s were read as %s", Arrays.toString(digits), predicted)
                .isGreaterThanOrEqualTo(3);
        page.saveScreenshot("page.png");
    }

    @Test
    @Order(3)
    void clear_canvas_button_blanks_the_drawing() {
        drawDigit(4);
        assertThat(page.inkPixels("canvas")).isPositive();

        page.click("#clear-canvas");

        assertThat(page.inkPixels("canvas")).isZero();
    }

    @Test
    @Order(4)
    void space_bar_blanks_the_drawing_and_enter_predicts() {
        drawDigit(2);
        new Actions(page.browser()).sendKeys(Keys.ENTER).perform();
        page.waitUntil(() -> !page.text("#buffer").isEmpty());
        assertThat(page.inkPixels("canvas")).isPositive();

        new Actions(page.browser()).sendKeys(Keys.SPACE).perform();

        assertThat(page.inkPixels("canvas")).isZero();
        assertThat(page.text("#buffer")).hasSize(1);
    }

    @Test
    @Order(5)
    void clear_predictions_empties_the_buffer_and_the_chart() {
        drawDigit(7);
        predictAndWait(1);
        assertThat(Arrays.stream(chartProbabilities()).sum()).isPositive();

        page.click("#clear-predictions");

        assertThat(page.text("#buffer")).isEmpty();
        assertThat(page.text("#digit")).isEmpty();
        assertThat(chartProbabilities()).containsOnly(0.0);
        assertThat(page.inkPixels("preview")).isZero();
    }

    @Test
    @Order(6)
    void predicting_a_blank_canvas_asks_for_a_drawing() {
        page.click("#predict");

        assertThat(page.text("#error")).contains("Draw a digit first");
        assertThat(page.text("#buffer")).isEmpty();
    }

    /**
     * A live answer to the drawing may have come before the paint; Predict's refusal replaces it.
     * Number mode, because it sends the canvas's PNG: a digit goes as its strokes, which the paint
     * does not touch.
     */
    @Test
    @Order(7)
    void shows_the_servers_reason_when_it_refuses_the_drawing() {
        page.chooseMode("number");
        try {
            int width = page.canvas().getSize().getWidth();
            int height = page.canvas().getSize().getHeight();
            MnistPen.drawWithMouse(page.browser(), page.canvas(),
                    MnistPen.strokesOf(pen.traceNumber(new int[] {pen.testImageOf(6, 0)}, width, height)));
            // Paint over the ink behind the page's back: the page thinks it has a drawing, the server sees none.
            page.js("""
                    const ctx = document.getElementById('canvas').getContext('2d');
                    ctx.save();
                    ctx.setTransform(1, 0, 0, 1, 0, 0);
                    ctx.fillStyle = '#000';
                    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
                    ctx.restore();""");

            page.click("#predict");
            page.waitUntil(() -> !page.text("#error").isEmpty() && page.idle());

            assertThat(page.text("#error")).as("the server's detail, not the page's own check")
                    .containsIgnoringCase("no ink").doesNotContain("canvas is empty");
            assertThat(page.text("#buffer")).isEmpty();
            assertThat(page.text("#number")).as("no answer beside the refusal").isEmpty();
        } finally {
            page.chooseMode("digit");
        }
    }

    @Test
    @Order(8)
    void records_the_right_digit_when_the_prediction_is_wrong() throws Exception {
        drawDigit(9);
        int shown = Integer.parseInt(predictAndWait(1));
        String id = page.attribute("#result", "data-prediction-id");
        assertThat(id).isNotBlank();
        String correction = String.valueOf((shown + 1) % Mnist.CLASSES);

        new Select(page.browser().findElement(By.id("correct-label"))).selectByValue(correction);
        page.click("#send-label");
        page.waitUntil(() -> page.text("#label-status").startsWith("Thanks"));

        assertThat(page.text("#label-status")).isEqualTo("Thanks, recorded as " + correction);
        assertThat(page.text("#buffer")).as("Your digits shows the correction").isEqualTo(correction);
        JsonNode record = page.getJson("/api/v1/predictions/" + id);
        assertThat(record.path("label").asInt(-1)).isEqualTo(Integer.parseInt(correction));
        assertThat(record.path("digit").asInt(-1)).isEqualTo(shown);
    }

    @Test
    @Order(9)
    void fits_a_phone_screen_in_one_column() throws IOException {
        page.emulatePhone();
        try {
            openThePage();
            Map<?, ?> layout = (Map<?, ?>) page.js("""
                    const box = (id) => document.getElementById(id).getBoundingClientRect();
                    const canvas = document.getElementById('canvas');
                    return {viewport: document.documentElement.clientWidth,
                            scrollWidth: document.documentElement.scrollWidth,
                            canvasRight: box('canvas').right, canvasWidth: box('canvas').width,
                            backingWidth: canvas.width, drawBottom: box('predict').bottom,
                            resultTop: box('result').top};""");
            double viewport = number(layout.get("viewport"));
            assertThat(number(layout.get("scrollWidth"))).as("no sideways scrolling").isLessThanOrEqualTo(viewport);
            assertThat(number(layout.get("canvasRight"))).isLessThanOrEqualTo(viewport);
            assertThat(number(layout.get("resultTop"))).as("result below the canvas")
                    .isGreaterThan(number(layout.get("drawBottom")));
            assertThat(number(layout.get("backingWidth"))).as("canvas drawn at the device's pixel ratio")
                    .isCloseTo(3 * number(layout.get("canvasWidth")), offset(2.0));

            drawDigit(3);
            predictAndWait(1);
            page.saveScreenshot("page-phone.png");
        } finally {
            page.stopEmulating();
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void says_the_server_cannot_be_reached_once_it_is_stopped_and_ready_once_it_is_back() throws IOException {
        drawDigit(5);
        page.waitUntil(page::idle);
        page.stopServer();
        // No click: the status pill asks the server again by itself.
        page.waitUntil(() -> page.text("#server-status").equals("Server unreachable"), java.time.Duration.ofSeconds(20));

        page.click("#predict");
        page.waitUntil(() -> !page.text("#error").isEmpty() && page.idle());

        assertThat(page.text("#error")).contains("Cannot reach the Stratus server");
        assertThat(page.browser().findElement(By.id("predict")).isEnabled()).as("Predict usable again").isTrue();
        assertThat(page.text("#buffer")).isEmpty();

        page.restartServer(temp);
        page.waitUntil(() -> page.text("#server-status").equals("Model ready"), java.time.Duration.ofSeconds(20));
    }

    // ---------- helpers ----------

    /** Draws the first MNIST test image of the digit, filling the square canvas. */
    private void drawDigit(int digit) {
        int width = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), pen.trace(pen.testImageOf(digit, 0), 0, 0, width).strokes());
    }

    /**
     * Presses Predict and waits until nothing more is coming and the buffer holds {@code count}
     * entries; returns the last. (A live answer may fill the buffer first: Predict's answer replaces it.)
     */
    private String predictAndWait(int count) {
        page.click("#predict");
        page.waitUntil(() -> page.idle() && (page.text("#buffer").split(" ").length == count
                && !page.text("#buffer").isEmpty() || !page.text("#error").isEmpty()));
        assertThat(page.text("#error")).as("error shown after Predict").isEmpty();
        String[] shown = page.text("#buffer").split(" ");
        return shown[shown.length - 1];
    }

    private double[] chartProbabilities() {
        return page.browser().findElements(By.cssSelector("#chart .bar")).stream()
                .mapToDouble(bar -> Double.parseDouble(bar.getDomAttribute("data-probability")))
                .toArray();
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
