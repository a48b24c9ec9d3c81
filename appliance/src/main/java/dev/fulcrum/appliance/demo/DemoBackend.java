package dev.fulcrum.appliance.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;

/**
 * A stand-in backend server for the demo: answers every request with its own name, so a
 * person can see which server of which pool the proxy chose. Loopback only.
 */
final class DemoBackend implements AutoCloseable {

    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final String name;
    private final Channel channel;

    private DemoBackend(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    static DemoBackend start(String name, EventLoopGroup group) throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new NameAnswerer(name));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return new DemoBackend(name, channel);
    }

    String name() {
        return name;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /** Writes "NAME answered METHOD URI" and names itself in a header too. */
    private static final class NameAnswerer extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final String name;

        NameAnswerer(String name) {
            this.name = name;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String body = name + " answered " + request.method() + " " + request.uri() + "\n";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    HttpMethod.HEAD.equals(request.method()) ? ctx.alloc().buffer(0)
                            : ByteBufUtil.writeUtf8(ctx.alloc(), body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, ByteBufUtil.utf8Bytes(body))
                    .set("X-Served-By", name);
            if (HttpUtil.isKeepAlive(request)) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
