package dev.fulcrum.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The floor under any HTTP/2 proxy built on Netty's codec: a server that answers every stream
 * with the harness backends' 22-byte body, in one of Netty's three styles. {@code multiplex} is a
 * child channel per stream (what Fulcrum's frontend uses), {@code frames} the frame codec's stream
 * frames on the connection's pipeline, {@code listener} the connection handler's frame listener
 * with no frame objects. A proxy pays a server side and a client side of this, plus its own work.
 * Run by {@code bench/h2-floor.sh}.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.fulcrum.bench.NettyH2Floor multiplex|frames|listener PORT</pre>
 */
public final class NettyH2Floor {

    private static final byte[] BODY = "hello from the backend".getBytes(StandardCharsets.US_ASCII);

    private NettyH2Floor() {
    }

    public static void main(String[] args) throws InterruptedException {
        String style = args[0];
        int port = Integer.parseInt(args[1]);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new FlushConsolidationHandler(256, true));
                            switch (style) {
                                case "multiplex" -> {
                                    ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build());
                                    ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                        @Override
                                        protected void initChannel(Channel stream) {
                                            stream.pipeline().addLast(new StreamAnswer());
                                        }
                                    }));
                                }
                                case "frames" -> {
                                    ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build());
                                    ch.pipeline().addLast(new FrameAnswer());
                                }
                                case "listener" -> ch.pipeline().addLast(new ListenerBuilder().build());
                                default -> throw new IllegalArgumentException("style: multiplex, frames or listener");
                            }
                        }
                    }).bind("127.0.0.1", port).sync().channel().closeFuture().sync();
        } finally {
            loop.shutdownGracefully();
        }
    }

    private static Http2Headers response() {
        return new DefaultHttp2Headers().status("200").set("content-type", "text/plain")
                .setInt("content-length", BODY.length);
    }

    /** On a stream's child channel. */
    private static final class StreamAnswer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
                ctx.write(new DefaultHttp2HeadersFrame(response()));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY), true));
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** On the connection, after the frame codec. */
    private static final class FrameAnswer extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
                ctx.write(new DefaultHttp2HeadersFrame(response()).stream(headers.stream()));
                ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY), true).stream(headers.stream()));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** The connection handler itself, answering from its frame listener. */
    private static final class ListenerAnswer extends Http2ConnectionHandler {

        ListenerAnswer(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            super(decoder, encoder, settings);
            decoder.frameListener(new Http2FrameAdapter() {
                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                                      boolean endOfStream) {
                    return data.readableBytes() + padding;
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                          boolean endOfStream) {
                    if (endOfStream) {
                        encoder().writeHeaders(ctx, streamId, response(), 0, false, ctx.voidPromise());
                        encoder().writeData(ctx, streamId, Unpooled.wrappedBuffer(BODY), 0, true, ctx.voidPromise());
                    }
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                          int dependency, short weight, boolean exclusive, int padding,
                                          boolean endOfStream) {
                    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
                }
            });
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            super.channelReadComplete(ctx);
            ctx.flush();
        }
    }

    private static final class ListenerBuilder
            extends AbstractHttp2ConnectionHandlerBuilder<ListenerAnswer, ListenerBuilder> {
        ListenerBuilder() {
            server(true);
            frameListener(new Http2FrameAdapter());   // replaced by the handler's own
        }

        @Override
        public ListenerAnswer build() {
            return super.build();
        }

        @Override
        protected ListenerAnswer build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                       Http2Settings settings) {
            return new ListenerAnswer(decoder, encoder, settings);
        }
    }
}
