package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a backend server: the last handler of its pipeline. It is either leased
 * to one frontend (an {@link UpstreamListener}) or idle in its {@link UpstreamPool}; idle
 * longer than the pool's idle_timeout, it is closed. That clock runs only between leases, so
 * reads and writes during an exchange cost nothing for it (an IdleStateHandler would take the
 * time and add a listener on every write).
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);

    private final Server server;
    private final UpstreamConfig config;
    private final UpstreamPool pool;
    private final UpstreamResponseDecoder decoder;
    private Channel channel;
    private UpstreamListener listener;
    private Throwable failure;
    private Deadline idleDeadline;

    UpstreamConnection(Server server, UpstreamConfig config, UpstreamPool pool, UpstreamResponseDecoder decoder) {
        this.server = server;
        this.config = config;
        this.pool = pool;
        this.decoder = decoder;
        decoder.bind(this);
    }

    /** The request about to be written; the decoder needs its method (HEAD has no response body). */
    void expectResponseTo(HttpMethod method) {
        decoder.expectResponseTo(method);
    }

    /** Bytes came beyond the end of the last response. */
    boolean hasUnreadBytes() {
        return decoder.hasUnreadBytes();
    }

    Server server() {
        return server;
    }

    /** The settings of the pool this connection was opened for. */
    UpstreamConfig config() {
        return config;
    }

    Channel channel() {
        return channel;
    }

    /** Leases this connection to a frontend and starts reading the response. */
    void lease(UpstreamListener owner) {
        this.listener = owner;
        idleDeadline.disarm();
        channel.read();
    }

    /** Ends the lease; the connection no longer reports to its former owner, and its idle clock starts. */
    void endLease() {
        this.listener = null;
        startIdleClock();
    }

    boolean isLeased() {
        return listener != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
        this.idleDeadline = new Deadline(ctx.executor(), this::onIdleTimeout);
        // Opened, not leased yet: idle too.
        startIdleClock();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Replaced by a tunnel relay after an upgrade, or the channel is gone.
        idleDeadline.cancel();
    }

    private void startIdleClock() {
        long timeoutNanos = config.idleTimeout().toNanos();
        if (timeoutNanos > 0) {
            idleDeadline.arm(timeoutNanos);
        }
    }

    private void onIdleTimeout() {
        if (listener == null) {
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null) {
            UpstreamListener owner = listener;
            try {
                owner.onUpstreamRead(msg);
            } catch (RuntimeException e) {
                // Ours, not the server's: the exchange answers it; the connection is out of step.
                owner.onInternalError(e);
                ctx.close();
            }
        } else {
            // Bytes on an idle connection answer no request: the connection is out of sync.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener owner = listener;
        listener = null;
        if (owner != null) {
            owner.onUpstreamClosed(failure);
        } else {
            pool.removeIdle(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("upstream {}: {}", server, cause.toString());
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public String toString() {
        return "UpstreamConnection[" + server + " " + channel + "]";
    }
}
