package dev.stratus.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stopped server closes the connections it kept alive and takes no new ones. */
class ShutdownTest {

    @Test
    void a_stopped_server_closes_its_kept_alive_connections_and_refuses_new_ones(@TempDir Path data)
            throws IOException {
        StratusServer server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data).build());
        int port = server.port();
        try (Socket kept = new Socket("127.0.0.1", port)) {
            kept.setSoTimeout(5_000);
            OutputStream out = kept.getOutputStream();
            InputStream in = kept.getInputStream();
            out.write("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = new byte[4096];
            int read = in.read(answer);
            assertThat(new String(answer, 0, read, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

            server.close();

            assertThat(in.read()).as("the kept-alive connection is closed, not left hanging").isEqualTo(-1);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    }
}
