package dev.stratus.server.web;

import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;

/**
 * Digits traced from real MNIST test images as pen strokes, one stroke per horizontal run of ink,
 * and drawn on the page's canvas with a real mouse (W3C actions) or real touches (CDP). With the
 * page's pen, about two MNIST pixels wide, neighbouring rows merge into solid strokes.
 */
final class MnistPen {
    /** MNIST pixels at least this bright are traced as ink. */
    private static final int INK = 128;
    /** Cell origins of neighbouring digits in a number are this many cell sides apart. */
    private static final double PITCH = 0.9;

    /** A point on the canvas, in CSS pixels from its top left corner. */
    record Point(double x, double y) {
    }

    /** One pen stroke. */
    record Stroke(List<Point> points) {
    }

    /** A traced digit: what it is, and its strokes. */
    record Digit(int label, List<Stroke> strokes) {
        double left() {
            return strokes.stream().flatMap(s -> s.points().stream()).mapToDouble(Point::x).min().orElseThrow();
        }

        double right() {
            return strokes.stream().flatMap(s -> s.points().stream()).mapToDouble(Point::x).max().orElseThrow();
        }

        double top() {
            return strokes.stream().flatMap(s -> s.points().stream()).mapToDouble(Point::y).min().orElseThrow();
        }

        double bottom() {
            return strokes.stream().flatMap(s -> s.points().stream()).mapToDouble(Point::y).max().orElseThrow();
        }
    }

    private final LabeledImages mnist;

    private MnistPen(LabeledImages mnist) {
        this.mnist = mnist;
    }

    /** The MNIST test set from the folder in system property {@code stratus.test.data}. */
    static MnistPen fromTestSet() throws IOException {
        String data = System.getProperty("stratus.test.data");
        if (data == null || data.isBlank()) {
            throw new IllegalStateException("system property stratus.test.data (the MNIST folder) is not set");
        }
        return new MnistPen(new MnistFiles(Path.of(data)).test());
    }

    /** The index of the {@code n}-th (from 0) test image of {@code digit}. */
    int testImageOf(int digit, int n) {
        int seen = 0;
        for (int i = 0; i < mnist.count(); i++) {
            if (mnist.label(i) == digit && seen++ == n) {
                return i;
            }
        }
        throw new IllegalStateException("fewer than " + (n + 1) + " test images of " + digit);
    }

    /** The image's ink, scaled so its 28x28 cell is a square of side {@code size} at (left, top). */
    Digit trace(int index, double left, double top, double size) {
        int side = mnist.cols();
        int offset = index * mnist.rows() * side;
        double cell = size / side;
        List<Stroke> strokes = new ArrayList<>();
        for (int y = 0; y < mnist.rows(); y++) {
            int start = -1;
            for (int x = 0; x <= side; x++) {
                boolean ink = x < side && (mnist.pixels()[offset + y * side + x] & 0xff) >= INK;
                if (ink && start < 0) {
                    start = x;
                } else if (!ink && start >= 0) {
                    double py = top + (y + 0.5) * cell;
                    strokes.add(new Stroke(List.of(new Point(left + (start + 0.5) * cell, py),
                            new Point(left + (x - 0.5) * cell, py))));
                    start = -1;
                }
            }
        }
        return new Digit(mnist.label(index), strokes);
    }

    /**
     * The image's ink {@code inkHeight} CSS pixels high (its tallest extent, whatever the cell
     * around it), centred on a canvas of the given CSS size: a digit drawn small or large.
     */
    Digit traceSized(int index, double inkHeight, double width, double height) {
        int side = mnist.cols();
        int offset = index * mnist.rows() * side;
        int top = side;
        int bottom = -1;
        int left = side;
        int right = -1;
        for (int y = 0; y < mnist.rows(); y++) {
            for (int x = 0; x < side; x++) {
                if ((mnist.pixels()[offset + y * side + x] & 0xff) >= INK) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        if (bottom < 0) {
            throw new IllegalStateException("test image " + index + " has no ink");
        }
        double cell = inkHeight / (bottom - top + 1);
        return trace(index, width / 2 - (left + right + 1) / 2.0 * cell, height / 2 - (top + bottom + 1) / 2.0 * cell,
                side * cell);
    }

    /**
     * The images as one number on a canvas of the given CSS size, left to right: cells as large as
     * fit, PITCH cell sides apart, which leaves a few MNIST pixels between the widest digits' ink.
     */
    List<Digit> traceNumber(int[] indices, double width, double height) {
        double size = 0.95 * Math.min(height, width / (PITCH * (indices.length - 1) + 1));
        double span = size * (PITCH * (indices.length - 1) + 1);
        double left = (width - span) / 2;
        double top = (height - size) / 2;
        List<Digit> digits = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            digits.add(trace(indices[i], left + i * PITCH * size, top, size));
        }
        return digits;
    }

    /**
     * Draws the strokes with the mouse. The W3C pointer sequence is built directly because
     * {@link Actions} gives every move 100-250 ms; offsets are from the canvas's centre.
     */
    static void drawWithMouse(ChromeDriver browser, WebElement canvas, List<Stroke> strokes) {
        drawWithPointer(browser, canvas, strokes, PointerInput.Kind.MOUSE);
    }

    /**
     * Draws the strokes as W3C touch actions, one finger (chromedriver dispatches them as touch
     * events): the same touches as {@link #drawWithTouch} in one round trip instead of one per point.
     */
    static void drawWithFinger(ChromeDriver browser, WebElement canvas, List<Stroke> strokes) {
        drawWithPointer(browser, canvas, strokes, PointerInput.Kind.TOUCH);
    }

    private static void drawWithPointer(ChromeDriver browser, WebElement canvas, List<Stroke> strokes,
            PointerInput.Kind kind) {
        double halfWidth = canvas.getSize().getWidth() / 2.0;
        double halfHeight = canvas.getSize().getHeight() / 2.0;
        PointerInput pointer = new PointerInput(kind, kind.name().toLowerCase(java.util.Locale.ROOT));
        Sequence sequence = new Sequence(pointer, 0);
        for (Stroke stroke : strokes) {
            boolean first = true;
            for (Point p : stroke.points()) {
                int x = (int) Math.round(p.x() - halfWidth);
                int y = (int) Math.round(p.y() - halfHeight);
                sequence.addAction(pointer.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(canvas), x, y));
                if (first) {
                    sequence.addAction(pointer.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
                    first = false;
                }
            }
            sequence.addAction(pointer.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        }
        browser.perform(List.of(sequence));
    }

    /** Draws the strokes as touches, one finger, through the DevTools protocol (viewport coordinates). */
    static void drawWithTouch(ChromeDriver browser, WebElement canvas, List<Stroke> strokes) {
        Map<?, ?> box = (Map<?, ?>) browser.executeScript(
                "const r = arguments[0].getBoundingClientRect(); return {left: r.left, top: r.top};", canvas);
        double left = ((Number) box.get("left")).doubleValue();
        double top = ((Number) box.get("top")).doubleValue();
        for (Stroke stroke : strokes) {
            String type = "touchStart";
            for (Point p : stroke.points()) {
                browser.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", type,
                        "touchPoints", List.of(Map.of("x", left + p.x(), "y", top + p.y()))));
                type = "touchMove";
            }
            browser.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", "touchEnd", "touchPoints", List.of()));
        }
    }

    static List<Stroke> strokesOf(List<Digit> digits) {
        return digits.stream().flatMap(d -> d.strokes().stream()).toList();
    }
}
