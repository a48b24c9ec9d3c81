package dev.fulcrum.l7;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 client connection, above the codec and the stream multiplexer: what its streams
 * share (listener, snapshot, meters, the client's clocks) and what only the connection does.
 * <ul>
 *   <li>raises the connection window to {@code connection_window} (Netty keeps RFC 9113's
 *       65,535 until a WINDOW_UPDATE on stream 0 says otherwise);</li>
 *   <li>closes a connection without streams after {@code client_idle};</li>
 *   <li>drains in two steps, on a stopping listener or after {@code max_requests} streams: a
 *       GOAWAY with the highest stream id (new streams in flight are still taken), one round
 *       trip later a GOAWAY with the last stream processed, then closes once the streams in
 *       flight end (the listener's drain deadline closes whatever is left);</li>
 *   <li>answers a violation {@link Http2FrameGuard} found with a GOAWAY of its code (every
 *       GOAWAY and RST_STREAM is counted where the codec reads and writes frames, see
 *       {@link Http2Frontend}).</li>
 * </ul>
 * Loop-confined: streams run on their connection's event loop.
 */
final class Http2ClientSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2ClientSession.class);
    /** How long the first GOAWAY stands before the second: time for streams already sent to arrive. */
    static final long GOAWAY_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    final String listener;
    final String scheme;
    final Supplier<L7Snapshot> snapshots;
    final Http2Meters meters;
    /** https with client certificates: the header carrying the verified subject; else null. */
    final String clientCertHeader;
    final long bodyNanos;
    final long clientWriteNanos;
    private final long idleNanos;
    private final int connectionWindow;
    private final int maxRequests;
    private final Http2FrameGuard guard;

    private ChannelHandlerContext ctx;
    private Deadline idle;
    private Deadline secondGoAway;
    private int activeStreams;
    private int streamsOpened;
    private boolean draining;
    private boolean goneAway;
    private boolean coverageRead;
    private CertificateCoverage coverage;
    /**
     * Contexts of ended streams, taken by the next ones: a context's clocks keep their scheduled
     * tasks between exchanges (as on an HTTP/1 connection), so a stream neither allocates a
     * context nor schedules and cancels timer tasks of its own. Holds at most as many as were
     * in use at once.
     */
    private final ArrayDeque<ClientContext> spareContexts = new ArrayDeque<>();

    Http2ClientSession(String listener, String scheme, Supplier<L7Snapshot> snapshots, Http2Meters meters,
                       String clientCertHeader, long idleNanos, long bodyNanos, long clientWriteNanos,
                       int connectionWindow, int maxRequests, Http2FrameGuard guard) {
        this.guard = guard;
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
        this.meters = meters;
        this.clientCertHeader = clientCertHeader;
        this.idleNanos = idleNanos;
        this.bodyNanos = bodyNanos;
        this.clientWriteNanos = clientWriteNanos;
        this.connectionWindow = connectionWindow;
        this.maxRequests = maxRequests;
    }

    Channel channel() {
        return ctx.channel();
    }

    /**
     * Whether a stream for this authority does not belong on this connection (its certificate
     * does not cover it, RFC 9113 9.1.2); false on plain connections.
     */
    boolean misdirects(String authority) {
        if (!coverageRead) {
            coverageRead = true;
            coverage = CertificateCoverage.of(ctx.pipeline());
        }
        return coverage != null && authority != null && coverage.misdirects(authority);
    }

    /** The proxy reset this stream (its frame guard lets frames still in flight on it through). */
    void resetSent(int stream) {
        guard.resetSent(stream);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.idle = new Deadline(ctx.executor(), this::onIdle);
        this.secondGoAway = new Deadline(ctx.executor(), this::sendFinalGoAway);
        // The connection reads freely: each stream's window, not the socket, holds a client back.
        ctx.channel().config().setAutoRead(true);
        meters.http2Connections.increment();
        int raise = connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (raise > 0) {
            // Written through the codec, which applies it to the connection's local flow controller.
            ctx.write(new DefaultHttp2WindowUpdateFrame(raise), ctx.voidPromise());
        }
        ctx.flush();
        armIdle();
    }

    // ---- streams -----------------------------------------------------------------------------

    /** A context for a new stream: a spare one, or a new one. */
    ClientContext takeContext() {
        ClientContext spare = spareContexts.pollFirst();
        if (spare != null) {
            return spare;
        }
        Channel connection = ctx.channel();
        return new ClientContext(listener, scheme, snapshots, connection.remoteAddress(), connection.localAddress(),
                ctx.executor());
    }

    /** The stream of this context has ended; its exchange too, unless it is still being wound up. */
    void returnContext(ClientContext context) {
        if (context.isIdle() && ctx.channel().isActive()) {
            context.release();
            spareContexts.addFirst(context);
        } else {
            context.close();
        }
    }

    void streamOpened() {
        activeStreams++;
        streamsOpened++;
        idle.disarm();
        meters.streamOpened();
        if (maxRequests > 0 && streamsOpened >= maxRequests && !draining) {
            drain();
        }
    }

    void streamClosed() {
        activeStreams--;
        meters.streamClosed();
        if (activeStreams == 0) {
            if (draining && goneAway) {
                ctx.close();
            } else {
                armIdle();
            }
        }
    }

    private void armIdle() {
        if (idleNanos > 0 && activeStreams == 0) {
            idle.arm(idleNanos);
        }
    }

    private void onIdle() {
        if (activeStreams == 0 && ctx.channel().isActive()) {
            LOG.debug("HTTP/2 client {} idle for client_idle: closing", ctx.channel().remoteAddress());
            goAway(Http2Error.NO_ERROR, 0).addListener(ChannelFutureListener.CLOSE);
            ctx.flush();
        }
    }

    // ---- drain -------------------------------------------------------------------------------

    /** First step: the client learns not to open more, streams already on the wire still count. */
    void drain() {
        if (draining || !ctx.channel().isActive()) {
            return;
        }
        draining = true;
        goAway(Http2Error.NO_ERROR, Integer.MAX_VALUE);
        ctx.flush();
        secondGoAway.arm(GOAWAY_GRACE_NANOS);
    }

    /** Second step: the last stream processed; the connection closes when its streams end. */
    private void sendFinalGoAway() {
        if (!ctx.channel().isActive()) {
            return;
        }
        goneAway = true;
        goAway(Http2Error.NO_ERROR, 0);
        ctx.flush();
        if (activeStreams == 0) {
            ctx.close();
        }
    }

    private io.netty.channel.ChannelFuture goAway(Http2Error error, int extraStreamIds) {
        Http2GoAwayFrame frame = new DefaultHttp2GoAwayFrame(error);
        // The codec adds these to the last stream the client opened (capped at the highest id).
        frame.setExtraStreamIds(extraStreamIds);
        return ctx.write(frame);
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Connection-level frames the multiplexer passes up: SETTINGS and PING are answered by the codec.
        if (msg instanceof Http2GoAwayFrame goAway) {
            LOG.debug("HTTP/2 client {} sent GOAWAY {}", ctx.channel().remoteAddress(), goAway.errorCode());
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ListenerStopping.EVENT) {
            drain();
        } else if (evt instanceof Http2FrameGuard.Violation violation) {
            if (violation == Http2FrameGuard.FLOOD) {
                LOG.info("HTTP/2 client {} on listener {} {}: GOAWAY ENHANCE_YOUR_CALM", ctx.channel().remoteAddress(),
                        listener, violation.reason());
            } else {
                LOG.debug("HTTP/2 client {}: {}", ctx.channel().remoteAddress(), violation.reason());
            }
            goAway(violation.error(), 0).addListener(ChannelFutureListener.CLOSE);
            ctx.flush();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection errors: the codec has sent GOAWAY with the error's code and closes.
        if (cause instanceof Http2Exception) {
            LOG.debug("HTTP/2 client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.debug("HTTP/2 client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.cancel();
        secondGoAway.cancel();
        for (ClientContext spare : spareContexts) {
            spare.close();
        }
        spareContexts.clear();
        ctx.fireChannelInactive();
    }
}
