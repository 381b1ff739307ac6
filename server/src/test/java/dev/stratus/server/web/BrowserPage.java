package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real server on a free port and Debian's headless Chromium pointed at it, for the drawing
 * page's tests: one per test class, with what the tests read from the page (text, attributes,
 * canvas pixels) and ask the server directly. Closing it stops the browser, then the server.
 */
final class BrowserPage implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** How often a wait looks again: an answer takes a few ms, so Selenium's 500 ms default is most of a wait. */
    private static final Duration POLL = Duration.ofMillis(100);

    private StratusServer server;
    private final ChromeDriverService driverService;
    private final ChromeDriver browser;
    private boolean serverRunning = true;
    private int stoppedPort;

    private BrowserPage(StratusServer server, ChromeDriverService driverService, ChromeDriver browser) {
        this.server = server;
        this.driverService = driverService;
        this.browser = browser;
    }

    static BrowserPage start(Path temp) throws IOException {
        assertThat(CHROMIUM).as("Chromium is missing; run scripts/install-browser.sh").isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver is missing; run scripts/install-browser.sh").isExecutable();
        StratusServer server = StratusServer.start(
                ServerConfig.builder().port(0).dataDirectory(temp.resolve("store")).build());
        try {
            ChromeDriverService driverService = new ChromeDriverService.Builder()
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
            return new BrowserPage(server, driverService, new ChromeDriver(driverService, options));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    ChromeDriver browser() {
        return browser;
    }

    String url() {
        return server.url();
    }

    /** Loads the page and waits until its canvas has a size. */
    void open() {
        browser.get(server.url() + "/");
        waitUntil(() -> canvas().getSize().getWidth() > 0);
    }

    /** Switches the page to number or digit mode with its switch, as a person would. */
    void chooseMode(String mode) {
        click("label[for=mode-" + mode + "]");
        waitUntil(() -> mode.equals(browser.findElement(By.tagName("body")).getDomAttribute("data-mode")));
    }

    void stopServer() {
        stoppedPort = server.port();
        server.close();
        serverRunning = false;
    }

    /** Starts the server again on the port it had, on the same data. */
    void restartServer(Path temp) throws IOException {
        server = StratusServer.start(ServerConfig.builder().port(stoppedPort).managementPort(0)
                .dataDirectory(temp.resolve("store")).build());
        serverRunning = true;
    }

    WebElement canvas() {
        return browser.findElement(By.id("canvas"));
    }

    String text(String selector) {
        return browser.findElement(By.cssSelector(selector)).getText().trim();
    }

    String attribute(String selector, String name) {
        String value = browser.findElement(By.cssSelector(selector)).getDomAttribute(name);
        return value == null ? "" : value;
    }

    void click(String selector) {
        browser.findElement(By.cssSelector(selector)).click();
    }

    Object js(String script, Object... args) {
        return browser.executeScript(script, args);
    }

    void waitUntil(BooleanSupplier condition) {
        waitUntil(condition, PATIENCE);
    }

    void waitUntil(BooleanSupplier condition, java.time.Duration patience) {
        new WebDriverWait(browser, patience, POLL).until(driver -> condition.getAsBoolean());
    }

    /** True once no request is in flight or waiting: the answer on screen is the last one coming. */
    boolean idle() {
        return "false".equals(attribute("#predict", "aria-busy"));
    }

    /** Pixels of a canvas that are not black. */
    long inkPixels(String canvasId) {
        return ((Number) js("""
                const canvas = document.getElementById(arguments[0]);
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let lit = 0;
                for (let i = 0; i < data.length; i += 4) {
                    if (data[i] || data[i + 1] || data[i + 2]) lit++;
                }
                return lit;""", canvasId)).longValue();
    }

    /** A checksum of every pixel of a canvas: equal for equal drawings, different for nearly any change. */
    long canvasChecksum(String canvasId) {
        return ((Number) js("""
                const canvas = document.getElementById(arguments[0]);
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let sum = 0;
                for (let i = 0; i < data.length; i += 4) sum = (sum * 31 + data[i] * 7 + i) % 2147483647;
                return sum;""", canvasId)).longValue();
    }

    /** Warnings and errors in the browser's console: a blocked style or script, a missing asset, a script error. */
    List<String> consoleProblems() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** A 390x844 phone at three device pixels per CSS pixel, with touch. */
    void emulatePhone() {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.<String, Object>of("width", 390, "height", 844, "deviceScaleFactor", 3, "mobile", true));
        browser.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
    }

    /** An 844x390 phone on its side, at three device pixels per CSS pixel, with touch. */
    void emulateLandscapePhone() {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.<String, Object>of("width", 844, "height", 390, "deviceScaleFactor", 3, "mobile", true,
                        "screenOrientation", Map.of("type", "landscapePrimary", "angle", 90)));
        browser.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
    }

    /** Makes the page see {@code prefers-color-scheme: scheme} ("light" or "dark"); "" for the browser's own. */
    void emulateColorScheme(String scheme) {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** The id of the element that has the focus ("" for one without, such as the body). */
    String focusedId() {
        return (String) js("return document.activeElement ? document.activeElement.id : '';");
    }

    void stopEmulating() {
        browser.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", false));
        browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** GETs an API path from the server directly, not through the page. */
    JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    /** POSTs a JSON body to an API path from the server directly; the answer's body, whatever its status. */
    JsonNode postJson(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    /** The status code of a GET to an API path, from the server directly. */
    int getStatus(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    void saveScreenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        try {
            browser.quit();
            driverService.stop();
        } finally {
            if (serverRunning) {
                server.close();
            }
        }
    }
}
