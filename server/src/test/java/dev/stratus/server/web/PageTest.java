package dev.stratus.server.web;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every test class of the drawing page starts with: its own server and Chromium (a fresh
 * profile, so a remembered mode does not leak between classes) and the MNIST test set to trace
 * digits from. The classes run one after another, each setting these before its tests.
 */
abstract class PageTest {
    @TempDir
    static Path temp;

    static BrowserPage page;
    static MnistPen pen;

    @BeforeAll
    static void startServerAndBrowser() throws IOException {
        pen = MnistPen.fromTestSet();
        page = BrowserPage.start(temp);
    }

    @AfterAll
    static void stopBrowserAndServer() {
        if (page != null) {
            page.close();
            page = null;
        }
    }
}
