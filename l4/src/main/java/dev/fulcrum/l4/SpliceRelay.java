package dev.fulcrum.l4;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-copy relay on epoll: the kernel moves bytes from one socket to the other through a
 * pipe (splice(2)), so they never enter the JVM. Netty pauses reading a side while the other
 * cannot take more, which is the same backpressure the buffer relay gives. This handler sees
 * only the events: end of input (relayed as FIN once what was spliced is written), close and
 * errors (relayed as resets).
 *
 * <p>Netty 4.2's splice signals the end of input as soon as the FIN arrives, before the bytes
 * queued ahead of it have been spliced, and then keeps polling the ended socket. So the FIN is
 * passed on only once the socket's {@link ReadMeter} sees a read round find nothing, and the
 * ended side stops reading then.
 */
final class SpliceRelay extends RelaySide {

    private static final Logger LOG = LoggerFactory.getLogger(SpliceRelay.class);

    private final ReadMeter ownReads;

    private SpliceRelay(TcpSession session, Channel peer, ReadMeter ownReads) {
        super(session, peer);
        this.ownReads = ownReads;
    }

    /** True when both channels can splice: both epoll stream sockets, and no TLS on either. */
    static boolean possible(Channel client, Channel backend) {
        return client instanceof AbstractEpollStreamChannel && backend instanceof AbstractEpollStreamChannel
                && client.pipeline().get(SslHandler.class) == null && client.pipeline().get(SniHandler.class) == null
                && backend.pipeline().get(SslHandler.class) == null;
    }

    /**
     * Starts splicing both ways. What the client sent before must already be written to the
     * backend: spliced bytes queue behind it.
     */
    @SuppressWarnings("deprecation") // spliceTo: still the only zero-copy path between two epoll sockets in Netty 4.2
    static void start(TcpSession session, ReadMeter clientReads, ReadMeter backendReads) {
        AbstractEpollStreamChannel client = (AbstractEpollStreamChannel) session.client();
        AbstractEpollStreamChannel backend = (AbstractEpollStreamChannel) session.backend();
        client.pipeline().addLast(new SpliceRelay(session, backend, clientReads));
        backend.pipeline().addLast(new SpliceRelay(session, client, backendReads));
        client.spliceTo(backend, Integer.MAX_VALUE).addListener(spliceEnded(session));
        backend.spliceTo(client, Integer.MAX_VALUE).addListener(spliceEnded(session));
        // Splicing needs reads on; Netty turns them off while the other side cannot take more.
        if (!client.isInputShutdown()) {
            client.config().setAutoRead(true);
        }
        if (!backend.isInputShutdown()) {
            backend.config().setAutoRead(true);
        }
    }

    /** A splice that runs forever ends only by failing: a reset, or a channel closed under it. */
    private static ChannelFutureListener spliceEnded(TcpSession session) {
        return ended -> {
            if (!ended.isSuccess() && !session.ending()) {
                LOG.debug("splice on {} failed: {}", ended.channel(), ended.cause().toString());
                session.abort();
            }
        };
    }

    /** Bytes read outside the splice (none are expected once it runs): relayed through a buffer. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                session.abort();
            }
        });
    }

    /**
     * Netty says so on the FIN, with data maybe still queued before it: splice on until the
     * socket is empty, then stop reading (an ended input is always readable) and pass the FIN on.
     */
    @Override
    void inputEnded(ChannelHandlerContext ctx) {
        Channel own = ctx.channel();
        ownReads.whenDrained(() -> {
            own.config().setAutoRead(false);
            session.inputEnded(peer);
        });
    }
}
