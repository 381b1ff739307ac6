package dev.stratus.server.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * One request and its one answer. The request is read whole before the exchange is handled; the
 * answer may be given from any thread, exactly once, and is written by the connection in the
 * order the requests came. Every answer carries the request id and the security headers, and
 * {@code Cache-Control: no-store} unless the handler says otherwise (the static files do): a
 * prediction, a label or an error is no one else's to keep, in a browser or a shared cache.
 */
public final class Exchange {
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final AsciiString REQUEST_ID_HEADER = AsciiString.cached("X-Request-Id");
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final Map<AsciiString, AsciiString> SECURITY_HEADERS = Map.of(
            AsciiString.cached("Content-Security-Policy"), AsciiString.cached(CONTENT_SECURITY_POLICY),
            AsciiString.cached("X-Content-Type-Options"), AsciiString.cached("nosniff"),
            AsciiString.cached("X-Frame-Options"), AsciiString.cached("DENY"),
            AsciiString.cached("Referrer-Policy"), AsciiString.cached("no-referrer"),
            AsciiString.cached("Permissions-Policy"), AsciiString.cached("camera=(), microphone=(), geolocation=()"),
            AsciiString.cached("Cross-Origin-Opener-Policy"), AsciiString.cached("same-origin"));

    /** Where a finished answer goes: the connection that read the request. */
    interface Sink {
        void answered(Exchange exchange, FullHttpResponse response);
    }

    private final Sink sink;
    private final HttpMethod method;
    private final HttpVersion version;
    private final String path;
    private final HttpHeaders headers;
    private final String client;
    private final boolean keepAlive;
    private final String requestId;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();
    private final ByteBufAllocator allocator;
    private byte[] body = new byte[0];
    private String route;
    private Map<String, String> pathParams = Map.of();
    private boolean closeAfter;

    Exchange(Sink sink, HttpRequest request, String client, ByteBufAllocator allocator) {
        this.sink = sink;
        this.method = request.method();
        this.version = request.protocolVersion();
        String uri = request.uri();
        int query = uri.indexOf('?');
        this.path = query < 0 ? uri : uri.substring(0, query);
        this.headers = request.headers();
        this.client = client;
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.allocator = allocator;
        String given = headers.get(REQUEST_ID_HEADER);
        this.requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : newRequestId();
    }

    /**
     * A random version-4 UUID from the thread's own generator. Request ids tie log lines together
     * and are no secret, so {@code UUID.randomUUID()}'s shared, locked {@code SecureRandom} (a
     * system call every request or two) is not needed.
     */
    private static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;
        long low = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The request's Content-Type header, lower-cased (parameters included); empty when none was given. */
    public String contentType() {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
    }

    public String header(CharSequence name) {
        return headers.get(name);
    }

    public byte[] body() {
        return body;
    }

    public String client() {
        return client;
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The route template that matched, for metrics; null while none has. */
    public String route() {
        return route;
    }

    ByteBufAllocator allocator() {
        return allocator;
    }

    void body(byte[] bytes) {
        this.body = bytes;
    }

    void matched(String template, Map<String, String> params) {
        this.route = template;
        this.pathParams = params;
    }

    /** The connection closes once this answer is written (a body that was not read whole, say). */
    void closeAfter() {
        this.closeAfter = true;
    }

    /** Answers with these bytes; a second answer to the same exchange is ignored. Takes the buffer. */
    public void respond(HttpResponseStatus status, CharSequence contentType, ByteBuf content, CharSequence... headerPairs) {
        if (!answered.compareAndSet(false, true)) {
            content.release();
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, content);
        HttpHeaders out = response.headers();
        out.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        out.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        out.set(REQUEST_ID_HEADER, requestId);
        SECURITY_HEADERS.forEach(out::set);
        out.set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            out.set(headerPairs[i], headerPairs[i + 1]);
        }
        HttpUtil.setKeepAlive(response, keepAlive && !closeAfter);
        sink.answered(this, response);
    }

    public void respond(HttpResponseStatus status, CharSequence contentType, byte[] content, CharSequence... headerPairs) {
        respond(status, contentType, Unpooled.wrappedBuffer(content), headerPairs);
    }

    /** An answer with no body (304, say). */
    public void respondEmpty(HttpResponseStatus status, CharSequence... headerPairs) {
        respond(status, "application/octet-stream", Unpooled.EMPTY_BUFFER, headerPairs);
    }
}
