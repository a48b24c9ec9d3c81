package dev.fulcrum.health;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server for health checks to probe, on 127.0.0.1 and a port of the kernel's choosing: it
 * counts connections (accepted, open now, most open at once, closed) and, speaking HTTP,
 * records each request and answers as its {@link Responder} says. It can stop listening (so
 * connects are refused) and listen again on the same port.
 */
final class ProbeTarget implements AutoCloseable {

    /** What to answer to the n-th request (counting from 1). */
    @FunctionalInterface
    interface Responder {
        Reply reply(int n);
    }

    record Reply(int status, String body, long delayMillis) {
        static Reply of(int status) {
            return new Reply(status, "", 0);
        }

        static Reply of(int status, String body) {
            return new Reply(status, body, 0);
        }
    }

    /** A request as received. */
    record Seen(String method, String uri, String host, String userAgent, String connection) {
    }

    static final String NO_SERVER_NAME = "(none)";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final SslContext tls;
    private final boolean http;
    private final boolean h2;
    private final String banner;
    private volatile Responder responder;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private Channel listener;
    private int port;

    private ProbeTarget(SslContext tls, Responder responder, String banner) {
        this(tls, responder, banner, false);
    }

    private ProbeTarget(SslContext tls, Responder responder, String banner, boolean h2) {
        this.tls = tls;
        this.http = responder != null;
        this.h2 = h2;
        this.responder = responder;
        this.banner = banner;
        listen(0);
    }

    /** Accepts connections and never sends a byte. */
    static ProbeTarget silent() {
        return new ProbeTarget(null, null, null);
    }

    /** Greets each connection with a line of text, like a mail server, then ignores what it gets. */
    static ProbeTarget banner(String line) {
        return new ProbeTarget(null, null, line);
    }

    /** Speaks HTTP/2 (h2c): exchanges SETTINGS, takes every stream and never answers one. */
    static ProbeTarget h2NeverAnswering() {
        return new ProbeTarget(null, null, null, true);
    }

    static ProbeTarget http(Responder responder) {
        return new ProbeTarget(null, responder, null);
    }

    /** Completes TLS handshakes, then sends nothing. */
    static ProbeTarget tls(SslContext context) {
        return new ProbeTarget(context, null, null);
    }

    static ProbeTarget https(SslContext context, Responder responder) {
        return new ProbeTarget(context, responder, null);
    }

    int port() {
        return port;
    }

    void answer(Responder next) {
        this.responder = next;
    }

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.get();
    }

    int maxOpen() {
        return maxOpen.get();
    }

    int closed() {
        return closed.get();
    }

    List<Seen> requests() {
        return requests;
    }

    /** The server name each TLS client sent, {@value #NO_SERVER_NAME} for none. */
    List<String> serverNames() {
        return serverNames;
    }

    /** Closes the listening socket: connects are refused until {@link #listenAgain()}. */
    void stopListening() {
        listener.close().syncUninterruptibly();
    }

    void listenAgain() {
        listen(port);
    }

    private void listen(int wanted) {
        listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        prepare(channel.pipeline());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", wanted))
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    private void prepare(ChannelPipeline pipeline) {
        pipeline.addLast(new Counting());
        if (tls != null) {
            pipeline.addLast(new SniHandler((Mapping<String, SslContext>) name -> {
                serverNames.add(name == null ? NO_SERVER_NAME : name);
                return tls;
            }));
        }
        if (http) {
            pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024), new Answer());
        } else if (h2) {
            pipeline.addLast(Http2FrameCodecBuilder.forServer().build(), new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object message) {
                    ReferenceCountUtil.release(message);
                }
            });
        } else {
            pipeline.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    if (banner != null) {
                        ctx.writeAndFlush(Unpooled.copiedBuffer(banner + "\r\n", UTF_8));
                    }
                    ctx.fireChannelActive();
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object message) {
                    ReferenceCountUtil.release(message);
                }
            });
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Counting extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.incrementAndGet();
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.decrementAndGet();
            closed.incrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A client that closed first (a check that was done) is no news.
            ctx.close();
        }
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                send(ctx, Reply.of(400));
                return;
            }
            requests.add(new Seen(request.method().name(), request.uri(), request.headers().get(HttpHeaderNames.HOST),
                    request.headers().get(HttpHeaderNames.USER_AGENT),
                    request.headers().get(HttpHeaderNames.CONNECTION)));
            Reply reply = responder.reply(requestCount.incrementAndGet());
            if (reply.delayMillis() > 0) {
                ctx.executor().schedule(() -> send(ctx, reply), reply.delayMillis(), TimeUnit.MILLISECONDS);
            } else {
                send(ctx, reply);
            }
        }

        private void send(ChannelHandlerContext ctx, Reply reply) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(reply.status()), Unpooled.copiedBuffer(reply.body(), UTF_8));
            response.headers()
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
