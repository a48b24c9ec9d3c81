package dev.fulcrum.l7;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/2 client for tests (h2c, prior knowledge): streams on one connection, each answer whole. */
final class H2TestClient implements AutoCloseable {

    /** An answer: status, head, body, trailers; or the reset that ended the stream (-1: none). */
    record Response(int status, Map<String, String> headers, byte[] body, Map<String, String> trailers,
                    long resetCode) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A GOAWAY the server sent. */
    record GoAway(int lastStreamId, long errorCode) {
    }

    final java.util.Queue<GoAway> goAways = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    H2TestClient(InetSocketAddress address) {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ConnectionFrames());
                    }
                })
                .connect(address).syncUninterruptibly().channel();
        // As browsers do: a connection window well above one stream's, so a stream that is not
        // read holds only its own window.
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(16 * 1024 * 1024)).syncUninterruptibly();
    }

    static Http2Headers get(String path, String authority) {
        return new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority(authority);
    }

    static Http2Headers post(String path, String authority) {
        return new DefaultHttp2Headers().method("POST").scheme("http").path(path).authority(authority);
    }

    Response exchange(Http2Headers headers) throws Exception {
        return send(headers, null, null).get(10, TimeUnit.SECONDS);
    }

    /** Sends a request (body and trailers optional); the future completes at the end of the answer. */
    CompletableFuture<Response> send(Http2Headers headers, byte[] body, Http2Headers trailers) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new Collector(answer))
                .open().syncUninterruptibly().getNow();
        boolean headersEnd = body == null && trailers == null;
        stream.write(new DefaultHttp2HeadersFrame(headers, headersEnd));
        if (body != null) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), trailers == null));
        }
        if (trailers != null) {
            stream.write(new DefaultHttp2HeadersFrame(trailers, true));
        }
        stream.flush();
        return answer;
    }

    /** A stream whose answer is not read (its window is not given back) until {@link #resume}. */
    record Stalled(Http2StreamChannel stream, CompletableFuture<Response> answer) {
        void resume() {
            stream.config().setAutoRead(true);
            stream.read();
        }
    }

    /** Sends a request whose answer the client does not read: only the stream's window gets through. */
    Stalled sendStalled(Http2Headers headers) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .option(io.netty.channel.ChannelOption.AUTO_READ, false)
                .handler(new Collector(answer)).open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        return new Stalled(stream, answer);
    }

    /** Opens a stream and sends its head without ending it; {@link #cancel} gives up on it. */
    Http2StreamChannel start(Http2Headers headers) {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new Collector(new CompletableFuture<>())).open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
        return stream;
    }

    /** Resets the stream: a client that gives up. */
    void cancel(Http2StreamChannel stream) {
        stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }

    boolean isOpen() {
        return connection.isActive();
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The connection's own frames (after the multiplexer): GOAWAYs are kept. */
    private final class ConnectionFrames extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.handler.codec.http2.Http2GoAwayFrame goAway) {
                goAways.add(new GoAway(goAway.lastStreamId(), goAway.errorCode()));
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> answer;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers head;
        private Http2Headers trailers;

        Collector(CompletableFuture<Response> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    if (head == null || head.status() != null && head.status().charAt(0) == '1') {
                        head = frame.headers();
                    } else {
                        trailers = frame.headers();
                    }
                    if (frame.isEndStream()) {
                        done(-1);
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    ByteBuf content = data.content();
                    byte[] bytes = new byte[content.readableBytes()];
                    content.readBytes(bytes);
                    body.writeBytes(bytes);
                    if (data.isEndStream()) {
                        done(-1);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                done(reset.errorCode());
            }
        }

        private void done(long resetCode) {
            int status = head == null || head.status() == null ? 0 : Integer.parseInt(head.status().toString());
            answer.complete(new Response(status, head == null ? Map.of() : H2TestBackend.asMap(head),
                    body.toByteArray(), trailers == null ? Map.of() : H2TestBackend.asMap(trailers), resetCode));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!answer.isDone()) {
                done(-2);
            }
        }
    }
}
