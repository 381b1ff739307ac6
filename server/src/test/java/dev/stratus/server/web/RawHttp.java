package dev.stratus.server.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} will not send: requests that
 * arrive slowly or half, and thousands of requests pipelined on one connection.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttp(int port, int readTimeoutMillis) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(readTimeoutMillis);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends these bytes now; false when the server has closed the connection. */
    boolean send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The status of the next answer (its body is read and dropped); -1 on end of stream or a read timeout. */
    int readStatus() {
        try {
            String statusLine = line();
            if (statusLine == null) {
                return -1;
            }
            long length = 0;
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).strip());
                }
            }
            in.skipNBytes(length);
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** True when the server closed the connection within the read timeout (nothing more, or a reset). */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // an answer may come first; the end of the stream is what is asked about
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Closes with a reset (SO_LINGER 0), as a client that gives up mid-upload does. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends every request on one connection (a writer thread) and returns the answers' statuses in order. */
    static List<Integer> pipelined(int port, List<String> requests) throws InterruptedException {
        try (RawHttp connection = new RawHttp(port, 30_000)) {
            Thread writer = new Thread(() -> requests.forEach(connection::send), "pipelining-writer");
            writer.start();
            List<Integer> statuses = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                statuses.add(connection.readStatus());
            }
            writer.join(30_000);
            return statuses;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
