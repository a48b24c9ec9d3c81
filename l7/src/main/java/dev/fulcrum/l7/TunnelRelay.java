package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of an upgraded connection (WebSocket and the like): bytes read here are
 * written to the peer, and the next read waits until the peer took them (autoRead is off),
 * so a slow side holds back the fast one instead of filling memory. Both directions share an
 * {@link IdleClock}: a tunnel with no byte either way for the listener's tunnel_idle is closed.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final IdleClock clock;

    TunnelRelay(Channel peer, IdleClock clock) {
        this.peer = peer;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            // The HTTP codec's end-of-message marker for the upgrade itself; nothing to relay.
            ReferenceCountUtil.release(msg);
            return;
        }
        clock.touch();
        peer.writeAndFlush(bytes).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clock.stop();
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeAfterFlush(ctx.channel());
    }

    static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The tunnel's idle timeout, shared by both directions (both channels are on one event loop). */
    static final class IdleClock {
        private final Channel client;
        private final Channel backend;
        private final long idleNanos;
        private final Deadline deadline;

        IdleClock(Channel client, Channel backend, long idleNanos) {
            this.client = client;
            this.backend = backend;
            this.idleNanos = idleNanos;
            this.deadline = new Deadline(client.eventLoop(), this::expired);
        }

        void touch() {
            if (idleNanos > 0) {
                deadline.arm(idleNanos);
            }
        }

        void stop() {
            deadline.cancel();
        }

        private void expired() {
            client.close();
            backend.close();
        }
    }
}
