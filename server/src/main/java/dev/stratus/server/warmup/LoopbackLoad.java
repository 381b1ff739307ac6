package dev.stratus.server.warmup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The lightest client that exercises the server's whole request path: a few blocking keep-alive
 * connections on loopback, each sending prepared requests one after another and reading each
 * answer to its end. Counts answers and the ones that were not 200.
 */
final class LoopbackLoad implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final List<byte[]> requests;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final int connections;
    /** Each connection's pause between an answer and its next request; 0: none. */
    private volatile long pauseNanos;

    /** Starts {@code connections} clients on 127.0.0.1:{@code port}, taking turns through {@code requests}. */
    LoopbackLoad(int port, int connections, List<byte[]> requests) {
        this.requests = requests;
        this.connections = connections;
        for (int i = 0; i < connections; i++) {
            int offset = i;
            Thread thread = new Thread(() -> drive(port, offset), "warmup-client-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /** A request as bytes on the wire: a POST of this body with this type, or a GET when the body is null. */
    static byte[] request(String method, String path, String contentType, byte[] body) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (body == null ? "" : "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n")
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + (body == null ? 0 : body.length)];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        if (body != null) {
            System.arraycopy(body, 0, all, headBytes.length, body.length);
        }
        return all;
    }

    /**
     * From now on about {@code perSecond} requests a second in all, each connection pausing
     * between its requests, so that batches are small (as under a light load); 0: flat out.
     */
    void pace(int perSecond) {
        pauseNanos = perSecond <= 0 ? 0 : TimeUnit.SECONDS.toNanos(connections) / perSecond;
    }

    long answered() {
        return answered.get();
    }

    long failed() {
        return failed.get();
    }

    private void drive(int port, int offset) {
        int next = offset;
        while (running.get()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                while (running.get()) {
                    out.write(requests.get(next++ % requests.size()));
                    int status = readAnswer(in);
                    answered.incrementAndGet();
                    if (status != 200) {
                        failed.incrementAndGet();
                    }
                    long pause = pauseNanos;
                    if (pause > 0) {
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(pause / 2, pause * 3 / 2));
                    }
                }
            } catch (IOException e) {
                // Refused, reset or timed out: count it and connect again (the server may be busy).
                failed.incrementAndGet();
            }
        }
    }

    /** Reads one answer's head and body; returns its status. */
    private static int readAnswer(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        long length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Long.parseLong(header.substring(15).trim());
            }
        }
        for (long left = length; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("the answer ended early");
                }
                skipped = 1;
            }
            left -= skipped;
        }
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-answer");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Stops every client within its timeout. */
    @Override
    public void close() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
