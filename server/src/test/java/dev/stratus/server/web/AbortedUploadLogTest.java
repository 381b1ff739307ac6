package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, finding 9: uploads the client abandons half-way (424 of them wrote 2.2 MB of stack
 * traces at ERROR) are counted and logged in one line each at DEBUG, by no logger at WARN or
 * above, Netty's included, and never with a stack trace. Real sockets against a real server:
 * half of them end with a FIN (a closed tab), half with a reset (a killed client).
 */
class AbortedUploadLogTest {
    private static final int ROUNDS = 4;
    private static final int PER_ROUND = 50;
    private static final String ABORTED = "stratus_http_requests_aborted_total{reason=\"client_closed\"";

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger connection = (Logger) LoggerFactory.getLogger(Connection.class);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level connectionLevel;

    @BeforeEach
    void capture() {
        captured.start();
        root.addAppender(captured);
        connectionLevel = connection.getLevel();
        connection.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
        captured.stop();
        connection.setLevel(connectionLevel);
    }

    @Test
    void aborted_uploads_are_counted_and_logged_one_line_each_at_debug_without_a_stack_trace(@TempDir Path data)
            throws Exception {
        try (StratusServer server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data)
                .rateLimit(0, 1).build())) {
            Http management = new Http(server.managementUrl());
            double before = aborted(management);

            for (int round = 0; round < ROUNDS; round++) {
                List<Socket> uploads = new ArrayList<>();
                for (int i = 0; i < PER_ROUND; i++) {
                    uploads.add(halfUpload(server.port()));
                }
                // The server has read every request's headers and first bytes before any goes away.
                Thread.sleep(300);
                for (int i = 0; i < uploads.size(); i++) {
                    if (i % 2 == 0) {
                        uploads.get(i).setSoLinger(true, 0); // a reset, not a FIN
                    }
                    uploads.get(i).close();
                }
            }
            int expected = ROUNDS * PER_ROUND;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (aborted(management) < before + expected && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }

            assertThat(aborted(management)).isEqualTo(before + expected);
            List<ILoggingEvent> events;
            synchronized (captured) {
                events = List.copyOf(captured.list);
            }
            assertThat(events).as("nothing at WARN or above, from any logger")
                    .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
            assertThat(events).as("no stack trace at any level").allMatch(e -> e.getThrowableProxy() == null);
            List<ILoggingEvent> lines = events.stream()
                    .filter(e -> e.getLoggerName().equals(Connection.class.getName())).toList();
            assertThat(lines).hasSize(expected).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getFormattedMessage()).contains("closed its connection in the middle of a request")
                        .doesNotContain("\n");
            });
        }
    }

    /** A connection that has sent the headers of a 100,000-byte upload and its first 1,000 bytes. */
    private static Socket halfUpload(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + WebApp.API + " HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[1_000]);
        out.flush();
        return socket;
    }

    private static double aborted(Http management) {
        return management.get("/metrics").body().lines().filter(l -> l.startsWith(ABORTED))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
