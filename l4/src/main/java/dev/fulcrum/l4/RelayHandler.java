package dev.fulcrum.l4;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays what one side reads to the other side. Reads are manual: the next read is asked only
 * when the previous chunk has been written, so a slow reader slows the writer down instead of
 * filling memory (Netty's HexDumpProxy pattern). Bytes are counted by the channels' {@link ReadMeter}s.
 */
final class RelayHandler extends RelaySide implements ChannelFutureListener {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private ChannelHandlerContext ctx;

    RelayHandler(TcpSession session, Channel peer) {
        super(session, peer);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A closed peer fails the write and releases the buffer.
        peer.writeAndFlush(msg).addListener(this);
    }

    /** Relays what arrived before the relay existed; the caller flushes and reads on. */
    static void relayEarly(TcpSession session, Channel to, Object msg) {
        to.write(msg).addListener(written -> {
            if (!written.isSuccess()) {
                session.abort();
            }
        });
    }

    /**
     * Asks for the next read unless the input has ended: after FIN there is nothing to read, and
     * epoll (Netty 4.2.18) may have dropped the socket from its interest set, so a read request
     * would fail the channel.
     */
    static void readMore(Channel channel) {
        if (channel instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
            return;
        }
        channel.read();
    }

    /** A relayed chunk was written (or not). */
    @Override
    public void operationComplete(ChannelFuture written) {
        if (written.isSuccess()) {
            readMore(ctx.channel());
        } else {
            LOG.debug("write to {} failed", peer, written.cause());
            session.abort();
        }
    }

    @Override
    void inputEnded(ChannelHandlerContext ctx) {
        session.inputEnded(peer);
    }
}
