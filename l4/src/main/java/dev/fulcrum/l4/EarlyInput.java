package dev.fulcrum.l4;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds what a client sent before its backend connection is up. Reads are paused then, but
 * epoll still reads once the client has sent FIN (it drains the socket to see the end of input),
 * so a client that writes and shuts down at once must not lose those bytes. Bounded by the
 * socket's receive buffer: nothing more can arrive after FIN.
 */
final class EarlyInput extends ChannelInboundHandlerAdapter {

    private final List<Object> held = new ArrayList<>(1);
    private boolean inputEnded;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
    }

    /** True when the client already sent FIN. */
    boolean inputEnded() {
        return inputEnded;
    }

    /** Hands the held messages over: the caller now owns them. */
    List<Object> takeHeld() {
        List<Object> taken = new ArrayList<>(held);
        held.clear();
        return taken;
    }

    private void release() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
