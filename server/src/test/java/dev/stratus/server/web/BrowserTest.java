package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The drawing page in a real browser (Debian's headless Chromium) against a real server on a
 * free port. Digits are drawn with mouse strokes traced from real MNIST test images, so the whole
 * path runs: pointer events, the PNG the page sends, the server's preprocessing and the model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** MNIST pixels at least this bright are traced as ink. */
    private static final int INK = 128;

    @TempDir
    static Path temp;

    private static StratusServer server;
    private static boolean serverRunning;
    private static ChromeDriverService driverService;
    private static ChromeDriver browser;
    private static LabeledImages mnist;

    @BeforeAll
    static void startServerAndBrowser() throws IOException {
        assertThat(CHROMIUM).as("Chromium is missing; run scripts/install-browser.sh").isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver is missing; run scripts/install-browser.sh").isExecutable();
        String data = System.getProperty("stratus.test.data");
        assertThat(data).as("system property stratus.test.data (the MNIST folder)").isNotBlank();
        mnist = new MnistFiles(Path.of(data)).test();

        server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(temp.resolve("store")).build());
        serverRunning = true;

        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1200,900",
                "--user-data-dir=" + Files.createDirectories(temp.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(driverService, options);
    }

    @AfterAll
    static void stopBrowserAndServer() {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (driverService != null) {
                driverService.stop();
            }
        } finally {
            if (serverRunning) {
                server.close();
            }
        }
    }

    @BeforeEach
    void openThePage() {
        browser.get(server.url() + "/");
        waitUntil(() -> canvasSize() > 0);
    }

    @Test
    @Order(1)
    void loads_without_console_errors_under_the_servers_content_security_policy() {
        waitUntil(() -> !text("#server-status").startsWith("Checking"));

        assertThat(text("#server-status")).isEqualTo("Model ready");
        assertThat(browser.findElements(By.cssSelector("#chart .bar"))).hasSize(Mnist.CLASSES);
        assertThat(text("#error")).isEmpty();
        assertThat(browser.findElement(By.linkText("Source code")).getDomProperty("href"))
                .isEqualTo("https://github.com/stratus-digits/stratus");
        assertThat(browser.findElement(By.linkText("API docs")).getDomProperty("href"))
                .isEqualTo(server.url() + "/api/openapi.json");
        // A blocked inline style or script, a missing asset or a script error all land here.
        List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::getMessage)
                .toList();
        assertThat(problems).isEmpty();
    }

    /** Tolerance: the strokes are a tracing, not handwriting, so one of the four may be misread. */
    @Test
    @Order(2)
    void recognises_at_least_three_of_four_digits_drawn_with_the_mouse() throws IOException {
        int[] digits = {0, 1, 3, 7};
        List<String> predicted = new ArrayList<>();
        for (int digit : digits) {
            click("#clear-canvas");
            drawMnistImage(firstTestImageOf(digit));
            predicted.add(predictAndWait(predicted.size() + 1));

            assertThat(text("#digit")).isEqualTo(predicted.get(predicted.size() - 1));
            assertThat(text("#confidence")).matches("[<>]?\\d{1,3}\\.\\d% confident");
            assertThat(browser.findElements(By.cssSelector("#top3 li"))).hasSize(3);
            double[] probabilities = chartProbabilities();
            assertThat(Arrays.stream(probabilities).sum()).isCloseTo(1.0, offset(1e-3));
            assertThat(inkPixels("preview")).as("pixels lit in the 28x28 preview").isGreaterThan(20);
        }
        assertThat(text("#buffer")).isEqualTo(String.join(" ", predicted));
        long right = IntStream.range(0, digits.length)
                .filter(i -> predicted.get(i).equals(String.valueOf(digits[i])))
                .count();
        assertThat(right).as("digits %s were read as %s", Arrays.toString(digits), predicted)
                .isGreaterThanOrEqualTo(3);
        saveScreenshot("page.png");
    }

    @Test
    @Order(3)
    void clear_canvas_button_blanks_the_drawing() {
        drawMnistImage(firstTestImageOf(4));
        assertThat(inkPixels("canvas")).isPositive();

        click("#clear-canvas");

        assertThat(inkPixels("canvas")).isZero();
    }

    @Test
    @Order(4)
    void space_bar_blanks_the_drawing_and_enter_predicts() {
        drawMnistImage(firstTestImageOf(2));
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        waitUntil(() -> !text("#buffer").isEmpty());
        assertThat(inkPixels("canvas")).isPositive();

        new Actions(browser).sendKeys(Keys.SPACE).perform();

        assertThat(inkPixels("canvas")).isZero();
        assertThat(text("#buffer")).hasSize(1);
    }

    @Test
    @Order(5)
    void clear_predictions_empties_the_buffer_and_the_chart() {
        drawMnistImage(firstTestImageOf(7));
        predictAndWait(1);
        assertThat(Arrays.stream(chartProbabilities()).sum()).isPositive();

        click("#clear-predictions");

        assertThat(text("#buffer")).isEmpty();
        assertThat(text("#digit")).isEmpty();
        assertThat(chartProbabilities()).containsOnly(0.0);
        assertThat(inkPixels("preview")).isZero();
    }

    @Test
    @Order(6)
    void predicting_a_blank_canvas_asks_for_a_drawing() {
        click("#predict");

        assertThat(text("#error")).contains("Draw a digit first");
        assertThat(text("#buffer")).isEmpty();
    }

    @Test
    @Order(7)
    void shows_the_servers_reason_when_it_refuses_the_drawing() {
        drawMnistImage(firstTestImageOf(6));
        // Paint over the ink behind the page's back: the page thinks it has a digit, the server sees none.
        js("""
                const ctx = document.getElementById('canvas').getContext('2d');
                ctx.save();
                ctx.setTransform(1, 0, 0, 1, 0, 0);
                ctx.fillStyle = '#000';
                ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
                ctx.restore();""");

        click("#predict");
        waitUntil(() -> !text("#error").isEmpty());

        assertThat(text("#error")).as("the server's detail, not the page's own check")
                .containsIgnoringCase("no ink").doesNotContain("canvas is empty");
        assertThat(text("#buffer")).isEmpty();
    }

    @Test
    @Order(8)
    void records_the_right_digit_when_the_prediction_is_wrong() throws Exception {
        drawMnistImage(firstTestImageOf(9));
        int shown = Integer.parseInt(predictAndWait(1));
        String id = browser.findElement(By.id("result")).getDomAttribute("data-prediction-id");
        assertThat(id).isNotBlank();
        String correction = String.valueOf((shown + 1) % Mnist.CLASSES);

        new Select(browser.findElement(By.id("correct-label"))).selectByValue(correction);
        click("#send-label");
        waitUntil(() -> text("#label-status").startsWith("Thanks"));

        assertThat(text("#label-status")).isEqualTo("Thanks, recorded as " + correction);
        HttpResponse<String> stored = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/predictions/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stored.statusCode()).isEqualTo(200);
        JsonNode record = new ObjectMapper().readTree(stored.body());
        assertThat(record.path("label").asInt(-1)).isEqualTo(Integer.parseInt(correction));
        assertThat(record.path("digit").asInt(-1)).isEqualTo(shown);
    }

    @Test
    @Order(9)
    void fits_a_phone_screen_in_one_column() throws IOException {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.<String, Object>of("width", 390, "height", 844, "deviceScaleFactor", 3, "mobile", true));
        try {
            openThePage();
            Map<?, ?> layout = (Map<?, ?>) js("""
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

            drawMnistImage(firstTestImageOf(3));
            predictAndWait(1);
            saveScreenshot("page-phone.png");
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void says_the_server_cannot_be_reached_once_it_is_stopped() {
        drawMnistImage(firstTestImageOf(5));
        server.close();
        serverRunning = false;

        click("#predict");
        waitUntil(() -> !text("#error").isEmpty());

        assertThat(text("#error")).contains("Cannot reach the Stratus server");
        assertThat(browser.findElement(By.id("predict")).isEnabled()).as("Predict usable again").isTrue();
        assertThat(text("#buffer")).isEmpty();
    }

    // ---------- drawing ----------

    /** One horizontal run of ink in an MNIST image: row y, columns x0..x1. */
    private record Run(int y, int x0, int x1) {
    }

    static List<Run> inkRuns(LabeledImages images, int index) {
        int side = images.cols();
        int offset = index * images.rows() * side;
        List<Run> runs = new ArrayList<>();
        for (int y = 0; y < images.rows(); y++) {
            int start = -1;
            for (int x = 0; x <= side; x++) {
                boolean ink = x < side && (images.pixels()[offset + y * side + x] & 0xff) >= INK;
                if (ink && start < 0) {
                    start = x;
                } else if (!ink && start >= 0) {
                    runs.add(new Run(y, start, x - 1));
                    start = -1;
                }
            }
        }
        return runs;
    }

    /**
     * Draws the image's ink as one mouse stroke per row run, scaled to the canvas. With the page's
     * pen (two MNIST pixels wide at this scale) neighbouring rows merge into solid strokes. The
     * W3C pointer sequence is built directly because {@link Actions} gives every move 100-250 ms.
     */
    private void drawMnistImage(int index) {
        WebElement canvas = browser.findElement(By.id("canvas"));
        double cell = canvasSize() / (double) mnist.cols();
        double half = canvasSize() / 2.0;
        PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "mouse");
        Sequence strokes = new Sequence(mouse, 0);
        for (Run run : inkRuns(mnist, index)) {
            int y = (int) Math.round((run.y() + 0.5) * cell - half);
            int x0 = (int) Math.round((run.x0() + 0.5) * cell - half);
            int x1 = (int) Math.round((run.x1() + 0.5) * cell - half);
            strokes.addAction(mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(canvas), x0, y));
            strokes.addAction(mouse.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
            strokes.addAction(mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.pointer(), x1 - x0, 0));
            strokes.addAction(mouse.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        }
        browser.perform(List.of(strokes));
    }

    private int firstTestImageOf(int digit) {
        for (int i = 0; i < mnist.count(); i++) {
            if (mnist.label(i) == digit) {
                return i;
            }
        }
        throw new IllegalStateException("no test image of " + digit);
    }

    // ---------- reading the page ----------

    /** Presses Predict and waits until the buffer holds {@code count} digits; returns the last. */
    private String predictAndWait(int count) {
        click("#predict");
        waitUntil(() -> text("#buffer").split(" ").length == count && !text("#buffer").isEmpty()
                || !text("#error").isEmpty());
        assertThat(text("#error")).as("error shown after Predict").isEmpty();
        String[] shown = text("#buffer").split(" ");
        return shown[shown.length - 1];
    }

    private double[] chartProbabilities() {
        return browser.findElements(By.cssSelector("#chart .bar")).stream()
                .mapToDouble(bar -> Double.parseDouble(bar.getDomAttribute("data-probability")))
                .toArray();
    }

    /** Pixels of a canvas that are not black. */
    private long inkPixels(String canvasId) {
        return ((Number) js("""
                const canvas = document.getElementById(arguments[0]);
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let lit = 0;
                for (let i = 0; i < data.length; i += 4) {
                    if (data[i] || data[i + 1] || data[i + 2]) lit++;
                }
                return lit;""", canvasId)).longValue();
    }

    private int canvasSize() {
        return browser.findElement(By.id("canvas")).getSize().getWidth();
    }

    private String text(String selector) {
        return browser.findElement(By.cssSelector(selector)).getText().trim();
    }

    private void click(String selector) {
        browser.findElement(By.cssSelector(selector)).click();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private void waitUntil(BooleanSupplier condition) {
        new WebDriverWait(browser, PATIENCE).until(driver -> condition.getAsBoolean());
    }

    private void saveScreenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
