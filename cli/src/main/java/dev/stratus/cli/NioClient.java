package dev.stratus.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The lean client of {@code bench serve}: HTTP/1.1 keep-alive over non-blocking sockets, every
 * connection driven by one selector thread, requests written from prepared bytes and answers read
 * only as far as the status and the {@code digit} field. The server shares the machine's cores
 * with the load generator, so every microsecond the client spends is one the server does not get;
 * this client costs a small fraction of {@link PredictionClient}'s per request.
 *
 * <p>It speaks just what the benchmark needs: one request per connection at a time (no
 * pipelining), {@code Content-Length} or chunked answers, and a closed or broken connection fails
 * its request and is replaced by a new one on the next send.
 */
final class NioClient implements OpenLoop.Target, AutoCloseable {
    private static final int READ_BUFFER = 64 * 1024;
    private static final long TIMEOUT_SCAN_NANOS = 10_000_000L;

    private final InetSocketAddress address;
    private final byte[] requestHead;
    private final long timeoutNanos;
    private final int maxConnections;
    private final Selector selector;
    private final Thread loop;
    private final Queue<Request> submitted = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> open = new HashSet<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private volatile boolean closed;

    private record Request(ByteBuffer head, ByteBuffer body, CompletableFuture<PredictionClient.Answer> answer) {
    }

    NioClient(URI base, int maxConnections, Duration timeout) throws IOException {
        URI predictions = base.resolve(PredictionClient.PREDICTIONS);
        int port = predictions.getPort() != -1 ? predictions.getPort() : 80;
        if (!"http".equals(predictions.getScheme())) {
            throw new IllegalArgumentException("the lean client speaks plain http, not " + predictions.getScheme()
                    + "; use --client THREADS for " + base);
        }
        this.address = new InetSocketAddress(predictions.getHost(), port);
        this.requestHead = ("POST " + predictions.getRawPath() + " HTTP/1.1\r\nHost: " + predictions.getHost() + ":"
                + port + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        this.timeoutNanos = timeout.toNanos();
        this.maxConnections = maxConnections;
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "bench-nio");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    @Override
    public CompletableFuture<PredictionClient.Answer> send(byte[] body) {
        byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] head = Arrays.copyOf(requestHead, requestHead.length + length.length);
        System.arraycopy(length, 0, head, requestHead.length, length.length);
        CompletableFuture<PredictionClient.Answer> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new IOException("the client is closed"));
            return answer;
        }
        submitted.add(new Request(ByteBuffer.wrap(head), ByteBuffer.wrap(body), answer));
        if (Thread.currentThread() != loop) {
            selector.wakeup();
        }
        return answer;
    }

    private void run() {
        long nextScan = System.nanoTime() + TIMEOUT_SCAN_NANOS;
        try {
            while (!closed) {
                dispatch();
                selector.select(Math.max(1, TIMEOUT_SCAN_NANOS / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Connection) key.attachment()).ready(key);
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now >= nextScan) {
                    expire(now);
                    nextScan = now + TIMEOUT_SCAN_NANOS;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                System.err.println("bench client stopped: " + e);
            }
        } finally {
            HttpTimeoutException stopped = new HttpTimeoutException("the client stopped");
            for (Connection connection : Set.copyOf(open)) {
                connection.fail(stopped);
            }
            for (Request request; (request = submitted.poll()) != null || (request = waiting.poll()) != null; ) {
                request.answer().completeExceptionally(stopped);
            }
        }
    }

    /** Gives each newly sent request a connection: an idle one, a new one, or the next one freed. */
    private void dispatch() {
        for (Request request; (request = submitted.poll()) != null; ) {
            waiting.add(request);
        }
        while (!waiting.isEmpty()) {
            Connection connection = idle.poll();
            if (connection == null) {
                if (open.size() >= maxConnections) {
                    return;
                }
                connection = new Connection();
                if (!connection.connect(waiting.peek())) {
                    waiting.poll();
                    continue;
                }
            }
            connection.start(waiting.poll());
        }
    }

    private void expire(long now) {
        for (Connection connection : Set.copyOf(open)) {
            if (connection.request != null && now - connection.sentNanos > timeoutNanos) {
                connection.fail(new HttpTimeoutException("no answer within " + timeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    /** One keep-alive connection: at most one request on it at a time. */
    private final class Connection {
        private SocketChannel channel;
        private SelectionKey key;
        private boolean connected;
        private Request request;
        private long sentNanos;
        private byte[] received = new byte[8 * 1024];
        private int receivedLength;

        /** Starts connecting; false (and the request failed) when that fails at once. */
        boolean connect(Request first) {
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connected = channel.connect(address);
                key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, this);
                open.add(this);
                return true;
            } catch (IOException e) {
                closeQuietly();
                first.answer().completeExceptionally(e);
                return false;
            }
        }

        void start(Request next) {
            request = next;
            sentNanos = System.nanoTime();
            receivedLength = 0;
            if (connected) {
                write();
            }
        }

        void ready(SelectionKey selected) {
            try {
                if (!selected.isValid()) {
                    return;
                }
                if (selected.isConnectable() && channel.finishConnect()) {
                    connected = true;
                    key.interestOps(0);
                    if (request != null) {
                        write();
                    }
                    return;
                }
                if (selected.isWritable()) {
                    write();
                }
                if (selected.isValid() && selected.isReadable()) {
                    read();
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        private void write() {
            try {
                ByteBuffer[] parts = {request.head(), request.body()};
                channel.write(parts);
                key.interestOps(request.body().hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            } catch (IOException e) {
                fail(e);
            }
        }

        private void read() throws IOException {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (request == null) {
                // An idle connection that the server closed (or that sent what nobody asked for).
                closeQuietly();
                return;
            }
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            readBuffer.flip();
            if (receivedLength + n > received.length) {
                received = Arrays.copyOf(received, Math.max(received.length * 2, receivedLength + n));
            }
            readBuffer.get(received, receivedLength, n);
            receivedLength += n;
            HttpAnswer parsed = HttpAnswer.parse(received, receivedLength);
            if (parsed == null) {
                return;
            }
            Request done = request;
            request = null;
            receivedLength = 0;
            if (parsed.closes()) {
                closeQuietly();
            } else {
                key.interestOps(SelectionKey.OP_READ);
                idle.add(this);
            }
            done.answer().complete(PredictionClient.Answer.of(parsed.status(), parsed.body()));
        }

        void fail(Exception error) {
            Request failed = request;
            request = null;
            closeQuietly();
            if (failed != null) {
                failed.answer().completeExceptionally(error);
            }
        }

        private void closeQuietly() {
            open.remove(this);
            idle.remove(this);
            if (key != null) {
                key.cancel();
            }
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** A complete HTTP/1.1 answer read from bytes, or null while bytes are missing. */
    record HttpAnswer(int status, byte[] body, boolean closes) {
        private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

        static HttpAnswer parse(byte[] bytes, int length) throws IOException {
            int headerEnd = indexOf(bytes, length, HEADER_END, 0);
            if (headerEnd < 0) {
                return null;
            }
            String head = new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.") || head.length() < 12) {
                throw new IOException("not an HTTP/1.x answer: " + head.lines().findFirst().orElse(""));
            }
            int status = Integer.parseInt(head, 9, 12, 10);
            long contentLength = -1;
            boolean chunked = false;
            boolean closes = head.startsWith("HTTP/1.0");
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    closes = value.equalsIgnoreCase("close");
                }
            }
            int bodyStart = headerEnd + HEADER_END.length;
            if (chunked) {
                return dechunk(bytes, length, bodyStart, status, closes);
            }
            if (contentLength < 0) {
                throw new IOException("an answer with neither Content-Length nor chunked encoding");
            }
            if (length - bodyStart < contentLength) {
                return null;
            }
            return new HttpAnswer(status, Arrays.copyOfRange(bytes, bodyStart, bodyStart + (int) contentLength), closes);
        }

        private static HttpAnswer dechunk(byte[] bytes, int length, int at, int status, boolean closes)
                throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int lineEnd = indexOf(bytes, length, HEADER_END, at, 2);
                if (lineEnd < 0) {
                    return null;
                }
                String sizeLine = new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1);
                int semicolon = sizeLine.indexOf(';');
                int size;
                try {
                    size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("a bad chunk size line: " + sizeLine);
                }
                at = lineEnd + 2;
                if (size == 0) {
                    // No trailers from the servers this talks to: the last chunk ends with an empty line.
                    return length - at >= 2 ? new HttpAnswer(status, body.toByteArray(), closes) : null;
                }
                if (length - at < size + 2) {
                    return null;
                }
                body.write(bytes, at, size);
                at += size + 2;
            }
        }

        private static int indexOf(byte[] bytes, int length, byte[] pattern, int from) {
            return indexOf(bytes, length, pattern, from, pattern.length);
        }

        /** The first index of {@code pattern[0, patternLength)} in {@code bytes[from, length)}, or -1. */
        private static int indexOf(byte[] bytes, int length, byte[] pattern, int from, int patternLength) {
            outer:
            for (int i = from; i <= length - patternLength; i++) {
                for (int j = 0; j < patternLength; j++) {
                    if (bytes[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2_000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
