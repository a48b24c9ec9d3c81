package dev.fulcrum.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A Netty client for what a JDK socket cannot show: BoringSSL as the client, stapled OCSP responses. */
final class NettyClient implements AutoCloseable {

    /** An open connection after its handshake and one echoed message. */
    record Connection(Channel channel, SslHandler ssl) implements AutoCloseable {
        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /**
     * Connects to 127.0.0.1:port with the handler {@code tls} makes for the channel, then echoes a
     * message (so TLS 1.3 tickets and client-auth verdicts have arrived). Throws if either fails.
     */
    Connection connect(int port, Function<Channel, SslHandler> tls) throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        // Kept here: a quickly failed handshake closes the channel and empties its pipeline.
        CompletableFuture<SslHandler> handler = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = tls.apply(ch);
                        handler.complete(ssl);
                        ch.pipeline().addLast(ssl, new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                echoed.complete(msg.toString(US_ASCII));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                echoed.completeExceptionally(cause);
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                echoed.completeExceptionally(new IllegalStateException("closed before the echo"));
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        SslHandler ssl = handler.get(5, TimeUnit.SECONDS);
        try {
            Future<Channel> handshake = ssl.handshakeFuture();
            if (!handshake.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no handshake within 5 s");
            }
            if (!handshake.isSuccess()) {
                throw new Exception("handshake failed", handshake.cause());
            }
            channel.writeAndFlush(Unpooled.copiedBuffer("ping", US_ASCII)).sync();
            if (!"ping".equals(echoed.get(5, TimeUnit.SECONDS))) {
                throw new IllegalStateException("wrong echo");
            }
            return new Connection(channel, ssl);
        } catch (Exception e) {
            channel.close().syncUninterruptibly();
            throw e;
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
