package dev.fulcrum.l4;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both relays do with one side's events: its end of input is passed on to the peer as
 * FIN, its close ends the session, its errors reset both sides.
 */
abstract class RelaySide extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RelaySide.class);

    final TcpSession session;
    final Channel peer;

    RelaySide(TcpSession session, Channel peer) {
        this.session = session;
        this.peer = peer;
    }

    /** This side sent FIN. */
    abstract void inputEnded(ChannelHandlerContext ctx);

    @Override
    public final void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded(ctx);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        session.close();
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("{} broke: {}", ctx.channel(), cause.toString());
        } else {
            LOG.warn("relay error on {}", ctx.channel(), cause);
        }
        session.abort();
    }
}
