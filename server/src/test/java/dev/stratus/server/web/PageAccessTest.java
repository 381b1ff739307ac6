package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * Offline, axe-style checks of the drawing page in a real browser: every control has an
 * accessible name (Chromium's own accessibility tree), text and meaningful graphics have enough
 * contrast in the light and the dark theme ({@link ContrastAudit}), focus stays on Predict and
 * Send while their requests run, and a phone on its side shows the canvas and Predict without
 * scrolling.
 */
class PageAccessTest extends PageTest {
    private static final Set<String> CONTROLS = Set.of("button", "link", "radio", "checkbox", "combobox",
            "listbox", "textbox", "slider", "image", "img");

    @Test
    void every_control_has_an_accessible_name() {
        page.open();
        drawAndPredict(5);

        page.browser().executeCdpCommand("Accessibility.enable", Map.of());
        Map<String, Object> tree = page.browser().executeCdpCommand("Accessibility.getFullAXTree", Map.of());
        List<Map<?, ?>> controls = ((List<?>) tree.get("nodes")).stream().<Map<?, ?>>map(n -> (Map<?, ?>) n)
                .filter(n -> !Boolean.TRUE.equals(n.get("ignored")) && CONTROLS.contains(value(n.get("role"))))
                .toList();

        assertThat(controls).as("controls in the accessibility tree").hasSizeGreaterThanOrEqualTo(12);
        assertThat(controls).as("controls without a name").allSatisfy(n ->
                assertThat(value(n.get("name"))).as("%s %s", value(n.get("role")), n.get("backendDOMNodeId")).isNotBlank());
        page.browser().executeCdpCommand("Accessibility.disable", Map.of());
    }

    @Test
    void text_bars_boxes_and_focus_ring_have_enough_contrast_in_both_themes() {
        page.open();
        drawAndPredict(4);
        // Keyboard focus on a button, so that its ring is drawn and measured.
        page.browser().findElement(By.id("undo")).sendKeys(Keys.SHIFT);
        new Actions(page.browser()).sendKeys(Keys.TAB).perform();
        assertThat(page.js("return document.activeElement.matches('button:focus-visible');")).isEqualTo(true);
        try {
            for (String scheme : List.of("light", "dark")) {
                page.emulateColorScheme(scheme);
                // The buttons fade to the new colours: measure what stays, not a frame of the fade.
                page.waitUntil(() -> Boolean.TRUE.equals(page.js(
                        "return document.getAnimations().every((a) => a.playState !== 'running');")));
                String background = (String) page.js("return getComputedStyle(document.body).backgroundColor;");
                ContrastAudit.Result result = ContrastAudit.run(page);
                System.out.printf("contrast audit, %s theme (body %s): %d checked, failures %s%n",
                        scheme, background, result.checked(), result.failures());

                assertThat(background).as("the %s theme's background", scheme)
                        .isEqualTo(scheme.equals("light") ? "rgb(243, 245, 250)" : "rgb(10, 15, 29)");
                assertThat(result.checked()).as("texts and graphics measured").isGreaterThan(40);
                assertThat(result.failures()).as("%s theme", scheme).isEmpty();
            }
        } finally {
            page.emulateColorScheme("");
        }
    }

    @Test
    void focus_stays_on_predict_and_on_send_while_their_requests_run() {
        page.open();
        drawAndPredict(7);
        assertThat(page.focusedId()).as("after Predict").isEqualTo("predict");

        String shown = page.text("#digit");
        new Select(page.browser().findElement(By.id("correct-label"))).selectByValue(shown.equals("1") ? "2" : "1");
        page.click("#send-label");
        page.waitUntil(() -> page.text("#label-status").startsWith("Thanks"));

        assertThat(page.focusedId()).as("after Send").isEqualTo("send-label");
    }

    @Test
    void a_phone_on_its_side_shows_the_canvas_and_predict_without_scrolling() throws IOException {
        page.emulateLandscapePhone();
        try {
            page.open();
            Map<?, ?> layout = (Map<?, ?>) page.js("""
                    const box = (id) => document.getElementById(id).getBoundingClientRect();
                    return {height: window.innerHeight, width: document.documentElement.clientWidth,
                            scrollWidth: document.documentElement.scrollWidth, scrollY: window.scrollY,
                            canvasTop: box('canvas').top, canvasBottom: box('canvas').bottom,
                            canvasWidth: box('canvas').width, predictBottom: box('predict').bottom,
                            buttonsRight: box('clear-canvas').right,
                            cardRight: document.querySelector('.draw-card').getBoundingClientRect().right};""");
            System.out.println("landscape phone layout: " + layout);

            assertThat(number(layout.get("height"))).isEqualTo(390);
            assertThat(number(layout.get("scrollY"))).isZero();
            assertThat(number(layout.get("canvasTop"))).isPositive();
            assertThat(number(layout.get("canvasBottom"))).as("canvas above the fold").isLessThanOrEqualTo(390);
            assertThat(number(layout.get("predictBottom"))).as("Predict above the fold").isLessThanOrEqualTo(390);
            assertThat(number(layout.get("canvasWidth"))).as("a canvas a finger can draw on").isGreaterThanOrEqualTo(180);
            assertThat(number(layout.get("buttonsRight"))).as("the buttons inside their card")
                    .isLessThanOrEqualTo(number(layout.get("cardRight")));
            assertThat(number(layout.get("scrollWidth"))).as("no sideways scrolling")
                    .isLessThanOrEqualTo(number(layout.get("width")));

            int width = page.canvas().getSize().getWidth();
            MnistPen.drawWithFinger(page.browser(), page.canvas(), pen.trace(pen.testImageOf(2, 0), 0, 0, width).strokes());
            page.waitUntil(() -> page.idle() && "ready".equals(page.attribute("#result", "data-state")));
            assertThat(number(page.js("return window.scrollY;"))).as("drawing does not scroll the page").isZero();
            page.saveScreenshot("page-landscape.png");
        } finally {
            page.stopEmulating();
        }
    }

    private static void drawAndPredict(int digit) {
        int width = page.canvas().getSize().getWidth();
        MnistPen.drawWithMouse(page.browser(), page.canvas(), pen.trace(pen.testImageOf(digit, 0), 0, 0, width).strokes());
        page.click("#predict");
        page.waitUntil(() -> page.idle() && "ready".equals(page.attribute("#result", "data-state")));
    }

    /** An accessibility tree value ({"type": ..., "value": ...}) as a string. */
    private static String value(Object property) {
        return property instanceof Map<?, ?> map && map.get("value") != null ? String.valueOf(map.get("value")) : "";
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
