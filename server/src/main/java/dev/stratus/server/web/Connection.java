package dev.stratus.server.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, on its event loop: reads each request whole (up to the body limit),
 * hands it to the app, and writes the answers in the order the requests came, however they
 * finish (HTTP/1.1 pipelining). A body over the limit is answered 413 as soon as that is known;
 * the rest of it is read and dropped so that the client sees the answer, then the connection
 * closes. A request that has not arrived whole by its {@link RequestDeadline} is answered 408
 * (closed, if its headers are not in yet), and one the client abandons half-sent is counted and
 * logged in one line at DEBUG: both are what a slow or broken client does, not a server failure.
 * A connection idle for the configured time is closed.
 */
final class Connection extends ChannelDuplexHandler implements Exchange.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** Requests read ahead of their turn before the connection stops reading. */
    private static final int MAX_QUEUED = 16;
    /** How long the rest of an oversized body may take to arrive before the connection closes anyway. */
    private static final long DISCARD_SECONDS = 5;

    private final WebApp app;
    /** Where a request read whole goes: the public routes or the management routes. */
    private final Consumer<Exchange> routes;
    private final long maxBodyBytes;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private RequestDeadline deadline;
    private boolean timedOut;
    private String client;
    private Exchange reading;
    private CompositeByteBuf body;
    private boolean discarding;
    private Exchange current;
    private boolean closing;

    /** What to do with a request when its turn comes: handle it, or refuse it. */
    private interface Start {
        void run(Exchange exchange);
    }

    private record Waiting(Exchange exchange, Start start) {
    }

    Connection(WebApp app, Consumer<Exchange> routes, long maxBodyBytes) {
        this.app = app;
        this.routes = routes;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadline = ctx.pipeline().get(RequestDeadline.class);
        this.client = ctx.channel().remoteAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                begin(request);
            }
            if (msg instanceof HttpContent content) {
                append(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(HttpRequest request) {
        Exchange exchange = new Exchange(this, request, client, ctx.alloc());
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            discardRest(exchange);
            String detail = cause instanceof TooLongFrameException ? "the request line or headers are too long"
                    : "the request is not valid HTTP: " + cause.getMessage();
            enqueue(exchange, ex -> app.refuse(ex, statusFor(cause), detail));
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodyBytes) {
            tooLarge(exchange, "the body is " + declared + " bytes");
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        reading = exchange;
        body = ctx.alloc().compositeHeapBuffer();
    }

    /** 414 for a request line too long, 431 for headers too large, 400 for anything else unreadable. */
    private static int statusFor(Throwable decoderFailure) {
        if (decoderFailure instanceof TooLongHttpLineException) {
            return 414;
        }
        return decoderFailure instanceof TooLongHttpHeaderException ? 431 : 400;
    }

    private void append(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (discarding) {
            if (last) {
                discarding = false;
                deadline.arrived();
                if (closing) {
                    ctx.close();
                }
            }
            return;
        }
        if (reading == null) {
            return;
        }
        ByteBuf chunk = content.content();
        if (body.readableBytes() + (long) chunk.readableBytes() > maxBodyBytes) {
            Exchange exchange = reading;
            releaseBody();
            tooLarge(exchange, "the body is over " + maxBodyBytes + " bytes");
            if (last) {
                discarding = false;
            }
            return;
        }
        if (chunk.isReadable()) {
            body.addComponent(true, chunk.retain());
        }
        if (last) {
            byte[] bytes = new byte[body.readableBytes()];
            body.readBytes(bytes);
            releaseBody();
            deadline.arrived();
            Exchange exchange = reading;
            reading = null;
            exchange.body(bytes);
            enqueue(exchange, routes::accept);
        }
    }

    private void tooLarge(Exchange exchange, String what) {
        discardRest(exchange);
        enqueue(exchange, ex -> app.refuse(ex, 413, what + "; the limit is " + maxBodyBytes + " bytes"));
    }

    private void enqueue(Exchange exchange, Start start) {
        if (current == null) {
            current = exchange;
            start.run(exchange);
        } else {
            waiting.add(new Waiting(exchange, start));
            if (waiting.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    /** The exchange is answered with an error and the connection closed; what is left of its request is dropped. */
    private void discardRest(Exchange exchange) {
        exchange.closeAfter();
        discarding = true;
        reading = null;
        ctx.executor().schedule(() -> {
            if (discarding) {
                ctx.close();
            }
        }, DISCARD_SECONDS, TimeUnit.SECONDS);
    }

    /** Called by the exchange, on any thread, once it has its answer. */
    @Override
    public void answered(Exchange exchange, FullHttpResponse response) {
        app.answered(exchange, response.status().code());
        if (ctx.executor().inEventLoop()) {
            write(exchange, response);
        } else {
            ctx.executor().execute(() -> write(exchange, response));
        }
    }

    private void write(Exchange exchange, FullHttpResponse response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            closing = true;
            written.addListener(f -> {
                if (!discarding) {
                    ctx.close();
                }
            });
            return;
        }
        written.addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        if (exchange == current) {
            current = null;
            Waiting next = waiting.poll();
            if (next != null) {
                current = next.exchange();
                next.start().run(next.exchange());
            }
            if (waiting.size() < MAX_QUEUED && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /** The request in progress missed its deadline: 408 if its headers are in, else just closed. */
    private void tooSlow() {
        timedOut = true;
        app.aborted(RequestMetrics.TOO_SLOW);
        LOG.debug("{} did not send its request whole within {} s; closing", client, deadline.timeoutSeconds());
        if (reading == null || discarding) {
            ctx.close();
            return;
        }
        Exchange exchange = reading;
        reading = null;
        releaseBody();
        exchange.closeAfter();
        enqueue(exchange, ex -> app.refuse(ex, 408, "the request did not arrive whole within "
                + deadline.timeoutSeconds() + " s"));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else if (event == RequestDeadline.Expired.INSTANCE) {
            tooSlow();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline.pending() && !timedOut && !discarding) {
            app.aborted(RequestMetrics.CLIENT_CLOSED);
            LOG.debug("{} closed its connection in the middle of a request", client);
        }
        deadline.arrived();
        releaseBody();
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the client, mostly: nothing to answer on a broken connection.
        ctx.close();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
