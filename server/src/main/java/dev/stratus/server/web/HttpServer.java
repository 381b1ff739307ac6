package dev.stratus.server.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The listening socket and its event loops (Netty, NIO, one loop per core, which also accepts).
 * Each connection gets: a deadline for each request to arrive whole, an idle timeout, HTTP/1.1
 * decoding with bounded request line and headers, gzip for clients that ask for it, and the
 * app's {@link Connection}.
 */
public final class HttpServer implements AutoCloseable {
    /** A connection with nothing read or written for this long is closed. */
    private static final int IDLE_SECONDS = 60;
    private static final int ACCEPT_QUEUE = 2048;
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int MAX_CHUNK = 64 * 1024;
    private static final int COMPRESS_FROM_BYTES = 1024;

    private final EventLoopGroup loops;
    private final Channel listening;
    private final ChannelGroup connections;
    private final String host;

    private HttpServer(EventLoopGroup loops, Channel listening, ChannelGroup connections, String host) {
        this.loops = loops;
        this.listening = listening;
        this.connections = connections;
        this.host = host;
    }

    static HttpServer start(String host, int port, Duration requestTimeout, Supplier<ChannelHandler> connections)
            throws IOException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("http", true), NioIoHandler.newFactory());
        // Every accepted connection, so that closing the server closes each one explicitly.
        ChannelGroup open = new DefaultChannelGroup("http-connections", GlobalEventExecutor.INSTANCE);
        ChannelFuture bound = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_QUEUE)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        open.add(channel);
                        channel.pipeline().addLast(
                                new RequestDeadline(requestTimeout),
                                new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK),
                                new HttpContentCompressor(COMPRESS_FROM_BYTES, StandardCompressionOptions.gzip()),
                                connections.get());
                    }
                })
                .bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage(),
                    bound.cause());
        }
        return new HttpServer(loops, bound.channel(), open, host);
    }

    public int port() {
        return ((InetSocketAddress) listening.localAddress()).getPort();
    }

    public String host() {
        return host;
    }

    /** No new connections from now on; those open carry on. */
    public void stopAccepting() {
        listening.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Closes every connection and stops the event loops, within a few seconds. */
    @Override
    public void close() {
        stopAccepting();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
