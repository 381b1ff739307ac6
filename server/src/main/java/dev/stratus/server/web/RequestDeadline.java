package dev.stratus.server.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of a connection, before HTTP decoding: from the first byte of a request, the
 * whole request (line, headers, body) has {@code timeout} to arrive. When it has not, the
 * {@link Expired} event goes down the pipeline and the {@link Connection} answers 408 or closes.
 * So a slow upload, however it dribbles, holds its connection and partial body for a bounded time,
 * which the idle timeout alone does not do (one byte a minute is never idle).
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
    /** The user event fired when a request is still incomplete at its deadline. */
    enum Expired {
        INSTANCE
    }

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null) {
            timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The connection read its request whole (or closed): the next byte starts the next request's
     * clock. On the event loop.
     */
    void arrived() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** True while a request has begun to arrive and has not yet arrived whole. */
    boolean pending() {
        return timer != null;
    }

    long timeoutSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(timeoutNanos);
    }

    private void expire() {
        timer = null;
        ctx.fireUserEventTriggered(Expired.INSTANCE);
    }
}
