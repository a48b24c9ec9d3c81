package dev.fulcrum.l7;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/2 (h2c, prior knowledge) backend for proxy tests. Each stream is answered by
 * path:
 * <ul>
 *   <li>{@code /echo}: the request body back, with a trailer {@code x-body-bytes};</li>
 *   <li>{@code /trailers-only}: one header block that ends the stream (gRPC's error form);</li>
 *   <li>{@code /slow?ms=N}: answers after N ms;</li>
 *   <li>{@code /refuse}: RST_STREAM REFUSED_STREAM;</li>
 *   <li>{@code /goaway}: GOAWAY with a last stream id below this stream, then nothing;</li>
 *   <li>{@code /reset}: a response head, then RST_STREAM CANCEL (as a gRPC server cancels a call);</li>
 *   <li>anything else: 200 with the backend's name.</li>
 * </ul>
 * It counts connections, streams and the most streams open at once on one connection.
 */
final class H2TestBackend implements AutoCloseable {

    /** One request as it arrived. */
    record Received(Http2Headers headers, int bodyBytes, Http2Headers trailers, boolean cancelled) {
    }

    private final String name;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedConnections = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    final AtomicInteger resetsReceived = new AtomicInteger();
    final AtomicInteger mostConcurrent = new AtomicInteger();
    final Queue<Received> received = new ConcurrentLinkedQueue<>();

    H2TestBackend(String name) {
        this(name, 100);
    }

    H2TestBackend(String name, int maxConcurrentStreams) {
        this(name, maxConcurrentStreams, true);
    }

    /** @param answersPings false: a server that has gone dead to PINGs (though its socket is open) */
    H2TestBackend(String name, int maxConcurrentStreams, boolean answersPings) {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        AtomicInteger open = new AtomicInteger();
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                .initialSettings(new Http2Settings().maxConcurrentStreams(maxConcurrentStreams))
                                .autoAckPingFrame(answersPings)
                                .validateHeaders(true).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                int now = open.incrementAndGet();
                                mostConcurrent.accumulateAndGet(now, Math::max);
                                stream.closeFuture().addListener(f -> open.decrementAndGet());
                                stream.pipeline().addLast(new StreamHandler(ch));
                            }
                        }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    String name() {
        return name;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    List<Received> receivedRequests() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final Channel connection;
        private Http2Headers request;
        private int bodyBytes;
        private ByteBuf body;

        StreamHandler(Channel connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    if (request == null) {
                        request = headers.headers();
                        streams.incrementAndGet();
                        body = ctx.alloc().buffer();
                        if (headers.isEndStream()) {
                            answer(ctx, null);
                        }
                    } else {
                        answer(ctx, headers.headers());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    bodyBytes += data.content().readableBytes();
                    body.writeBytes(data.content());
                    if (data.isEndStream()) {
                        answer(ctx, null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                resetsReceived.incrementAndGet();
                received.add(new Received(request, bodyBytes, null, true));
            }
        }

        private void answer(ChannelHandlerContext ctx, Http2Headers trailers) {
            received.add(new Received(request, bodyBytes, trailers, false));
            String path = String.valueOf(request.path());
            if (path.startsWith("/echo")) {
                ctx.write(new DefaultHttp2HeadersFrame(status("200").add("x-backend", name)));
                ctx.write(new DefaultHttp2DataFrame(body.retain(), false));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().add("x-body-bytes", Integer.toString(bodyBytes)), true));
            } else if (path.startsWith("/trailers-only")) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(status("200").add("grpc-status", "14")
                        .add("content-type", "application/grpc"), true));
            } else if (path.startsWith("/slow")) {
                long ms = Long.parseLong(path.substring(path.indexOf("ms=") + 3));
                ctx.executor().schedule(() -> named(ctx), ms, TimeUnit.MILLISECONDS);
            } else if (path.startsWith("/refuse")) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            } else if (path.startsWith("/goaway")) {
                // Says it processed nothing from this stream on: the last id is the one before it.
                Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
                int stream = ((Http2StreamChannel) ctx.channel()).stream().id();
                codec.goAway(connection.pipeline().context(codec), stream - 2, Http2Error.NO_ERROR.code(),
                        Unpooled.EMPTY_BUFFER, connection.newPromise());
                connection.flush();
            } else if (path.startsWith("/reset")) {
                ctx.write(new DefaultHttp2HeadersFrame(status("200")));
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
            } else {
                named(ctx);
            }
        }

        private void named(ChannelHandlerContext ctx) {
            ctx.write(new DefaultHttp2HeadersFrame(status("200").add("x-backend", name)));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer(name, StandardCharsets.UTF_8), true));
        }

        private Http2Headers status(String code) {
            return new DefaultHttp2Headers().status(code);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (body != null) {
                body.release();
                body = null;
            }
        }
    }

    static Map<String, String> asMap(Http2Headers headers) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        headers.forEach(e -> map.put(e.getKey().toString(), e.getValue().toString()));
        return map;
    }
}
