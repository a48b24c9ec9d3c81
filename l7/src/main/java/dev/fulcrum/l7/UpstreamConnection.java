package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a backend server: the last handler of its pipeline. It is either leased
 * to one frontend (an {@link UpstreamListener}) or idle in its {@link UpstreamPool}; idle
 * longer than the pool's idle_timeout, it is closed. That clock runs only between leases, so
 * reads and writes during an exchange cost nothing for it (an IdleStateHandler would take the
 * time and add a listener on every write).
 *
 * <p>For an HTTP/2 pool it is one stream of an {@link Http2UpstreamSession} instead, on the
 * stream's channel (HTTP/1 objects in and out, through Netty's frame-to-object codec), leased
 * once and closed at the end of its exchange. A response that is one header block (trailers
 * only, or no body) is handed on as a head and an end, as HTTP/1 gives it; a reset or a
 * GOAWAY that leaves the stream unprocessed by the server is remembered as the cause of the
 * close, so the exchange may send the request again.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);

    private final Server server;
    private final UpstreamConfig config;
    private final UpstreamPool pool;
    private final UpstreamResponseDecoder decoder;
    /** The HTTP/2 connection this stream belongs to; null for an HTTP/1 connection. */
    private final Http2UpstreamSession session;
    private Channel channel;
    private UpstreamListener listener;
    private Throwable failure;
    private Deadline idleDeadline;

    UpstreamConnection(Server server, UpstreamConfig config, UpstreamPool pool, UpstreamResponseDecoder decoder) {
        this.server = server;
        this.config = config;
        this.pool = pool;
        this.decoder = decoder;
        this.session = null;
        decoder.bind(this);
    }

    /** A stream of an HTTP/2 connection. */
    UpstreamConnection(Server server, UpstreamConfig config, UpstreamPool pool, Http2UpstreamSession session) {
        this.server = server;
        this.config = config;
        this.pool = pool;
        this.decoder = null;
        this.session = session;
    }

    /** One stream of an HTTP/2 connection: used for one exchange, never idle, never reused. */
    boolean isStream() {
        return session != null;
    }

    /** The request about to be written; the decoder needs its method (HEAD has no response body). */
    void expectResponseTo(HttpMethod method) {
        if (decoder != null) {
            decoder.expectResponseTo(method);
        }
    }

    /** Bytes came beyond the end of the last response. */
    boolean hasUnreadBytes() {
        return decoder != null && decoder.hasUnreadBytes();
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
        if (session == null) {
            startIdleClock();
        }
    }

    boolean isLeased() {
        return listener != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
        this.idleDeadline = new Deadline(ctx.executor(), this::onIdleTimeout);
        if (session == null) {
            // Opened, not leased yet: idle too.
            startIdleClock();
        }
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
        if (session != null && !fromStream(msg)) {
            return;
        }
        if (listener != null) {
            UpstreamListener owner = listener;
            try {
                if (session != null && msg instanceof FullHttpResponse whole) {
                    // One header block (and maybe a body): a head and an end, as HTTP/1 hands them on.
                    owner.onUpstreamRead(headOf(whole));
                    owner.onUpstreamRead(new DefaultLastHttpContent(whole.content(), whole.trailingHeaders()));
                    return;
                }
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

    /**
     * Netty's conversion headers are dropped from a response head.
     *
     * @return false when the message was consumed here
     */
    private boolean fromStream(Object msg) {
        if (msg instanceof HttpResponse response) {
            HttpHeaders headers = response.headers();
            headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            headers.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
            headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text());
            headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());
        }
        return true;
    }

    /**
     * The server reset the stream: kept as the cause of the close that follows.
     */
    void onStreamReset(long code) {
        if (failure == null) {
            failure = code == Http2Error.REFUSED_STREAM.code()
                    ? UpstreamFailure.unprocessed(server, "refused the stream")
                    : UpstreamFailure.reset(server, code);
        }
    }

    private static HttpResponse headOf(FullHttpResponse whole) {
        return new DefaultHttpResponse(whole.protocolVersion(), whole.status(), whole.headers());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2GoAwayFrame goAway) {
            // Sent to the streams above the GOAWAY's last stream id: the server never processed them.
            if (failure == null) {
                failure = UpstreamFailure.unprocessed(server, "sent GOAWAY before processing the stream");
            }
            goAway.release();
            return;
        }
        ctx.fireUserEventTriggered(evt);
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
        if (session != null) {
            session.streamClosed();
        }
        if (owner != null) {
            owner.onUpstreamClosed(failure);
        } else if (session == null) {
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
