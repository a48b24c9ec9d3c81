package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * On a plain listener, tells HTTP/2 with prior knowledge (h2c) from HTTP/1 by the first bytes:
 * the HTTP/2 client preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) or anything else. It
 * decides at the first byte that differs from the preface, so an HTTP/1 request is never
 * held for more than the bytes it shares with it ("P", "PR", ...). Then it puts the chosen
 * protocol's stages in its place and passes on what it read.
 *
 * <p>It reads the first bytes itself and holds back channelActive, which the chosen stages
 * get once they are in place. A client that sends nothing is closed quietly after the
 * listener's request_header timeout, as HTTP/1 closes a connection that never sends a request.
 */
final class ProtocolDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;
    private final long firstByteNanos;
    private Deadline firstByte;

    /**
     * @param http1 adds the HTTP/1 stages after the detector's context
     * @param http2 adds the HTTP/2 stages after the detector's context
     */
    ProtocolDetector(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2,
                     long firstByteNanos) {
        this.http1 = http1;
        this.http2 = http2;
        this.firstByteNanos = firstByteNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        firstByte = new Deadline(ctx.executor(), ctx::close);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (firstByteNanos > 0) {
            firstByte.arm(firstByteNanos);
        }
        ctx.read();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        firstByte.cancel();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int seen = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), seen);
        if (prefix && seen < PREFACE.readableBytes()) {
            // Could still be either: wait for more.
            return;
        }
        firstByte.cancel();
        if (prefix) {
            http2.accept(ctx);
        } else {
            http1.accept(ctx);
        }
        ctx.fireChannelActive();
        // Removing a ByteToMessageDecoder hands what it holds to the next stage.
        ctx.pipeline().remove(this);
    }
}
