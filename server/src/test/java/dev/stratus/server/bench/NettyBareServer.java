package dev.stratus.server.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link BareServer} on plain Netty (NIO, one event loop per core): the same route, the body
 * aggregated whole (up to 1 MiB, the app's limit), a real answer's bytes back, written on the
 * event loop and flushed once per read burst.
 *
 * <p>Usage: {@code NettyBareServer PORT [ANSWER_FILE] [EVENT_LOOPS]}.
 */
public final class NettyBareServer {
    private NettyBareServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        byte[] bytes = BareServer.realAnswer();
        if (args.length > 1) {
            Files.write(Path.of(args[1]), bytes);
        }
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        ByteBuf answer = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        ByteBuf ready = Unpooled.unreleasableBuffer(Unpooled.directBuffer()
                .writeBytes("{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8)));
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
        Channel channel = new ServerBootstrap().group(acceptor, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024 * 1024),
                                new Answer(answer, ready));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        System.out.println("Netty bare server ready on http://127.0.0.1:"
                + ((InetSocketAddress) channel.localAddress()).getPort() + " (" + bytes.length + "-byte answer, "
                + loops + " event loops)");
        channel.closeFuture().sync();
    }

    /** Answers each request from the event loop; flushes once the loop has read what was there. */
    @ChannelHandler.Sharable
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ByteBuf answer;
        private final ByteBuf ready;

        Answer(ByteBuf answer, ByteBuf ready) {
            this.answer = answer;
            this.ready = ready;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response;
            if (request.method() == HttpMethod.POST && "/api/v1/predictions".equals(request.uri())) {
                response = ok(answer.duplicate());
            } else if (request.method() == HttpMethod.GET && "/api/v1/status".equals(request.uri())) {
                response = ok(ready.duplicate());
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            if (HttpUtil.isKeepAlive(request)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.write(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        private static FullHttpResponse ok(ByteBuf body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return response;
        }
    }
}
