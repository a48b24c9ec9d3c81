package dev.fulcrum.appliance.http2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP/1.1 backend for the HTTP/2 tests. It streams request bodies (nothing aggregated, so
 * any size passes) and answers {@code NAME METHOD URI received N bytes sha256 HEX}; {@code GET
 * /bytes/N} answers N bytes of a fixed pattern instead, to push a large response through a
 * client's flow-control window. It keeps the last request head it saw, as the proxy sent it.
 */
final class CountingBackend implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicReference<HttpRequest> lastRequest = new AtomicReference<>();
    private final Channel server;

    CountingBackend(String name) throws InterruptedException {
        this.name = name;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Counter());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The head of the last request the proxy sent here, or null before the first. */
    HttpRequest lastRequest() {
        return lastRequest.get();
    }

    /** What {@code GET /bytes/N} answers: byte i is {@code i % 251}, so a shifted or lost byte shows. */
    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One request at a time per connection: counts and hashes its body, answers at its end. */
    private final class Counter extends SimpleChannelInboundHandler<HttpObject> {

        private HttpRequest request;
        private MessageDigest body;
        private long received;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpRequest head) {
                request = head;
                lastRequest.set(head);
                body = digest();
                received = 0;
            }
            if (message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                received += bytes.readableBytes();
                body.update(bytes.nioBuffer());
            }
            if (message instanceof LastHttpContent) {
                answer(ctx);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            String uri = request.uri();
            ByteBuf content;
            if (request.method().equals(HttpMethod.GET) && uri.startsWith("/bytes/")) {
                content = ctx.alloc().buffer().writeBytes(pattern(Integer.parseInt(uri.substring(7))));
            } else {
                String text = name + " " + request.method() + " " + uri + " received " + received + " bytes sha256 "
                        + HexFormat.of().formatHex(body.digest()) + "\n";
                content = ByteBufUtil.writeUtf8(ctx.alloc(), text);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            if (request.method().equals(HttpMethod.HEAD)) {
                content.clear();
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
            ctx.writeAndFlush(response).addListener(f -> {
                if (!keepAlive || !f.isSuccess()) {
                    ctx.close();
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port();
    }
}
