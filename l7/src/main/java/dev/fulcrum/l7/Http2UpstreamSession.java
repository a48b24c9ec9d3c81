package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.config.UpstreamHttp2Config;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection to a backend server, owned by one event loop's {@link UpstreamPool}:
 * the last handler of its pipeline (after the frame codec and the stream multiplexer). Each
 * request is a stream of it, seen by its exchange as an {@link UpstreamConnection} (on the
 * stream's channel, which speaks HTTP/1 objects through Netty's frame-to-object codec).
 * <ul>
 *   <li>no stream before the server's SETTINGS; its MAX_CONCURRENT_STREAMS is obeyed, and the
 *       pool's own {@code max_concurrent_streams} too: a full connection makes the pool open
 *       another (within the server's max_connections);</li>
 *   <li>retired after {@code max_requests} streams, or on the server's GOAWAY: no new stream,
 *       those in flight finish, then it closes; streams above the GOAWAY's last id fail as
 *       never processed (the exchange may retry them);</li>
 *   <li>a PING after {@code ping_interval} of silence; no answer within {@code ping_timeout}
 *       and the connection is taken as dead and closed;</li>
 *   <li>closed after the pool's idle_timeout without streams.</li>
 * </ul>
 */
final class Http2UpstreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2UpstreamSession.class);
    /** Waiters woken at once when a connection becomes ready: a bound, not a count of its room. */
    private static final int MAX_WAKES = 128;

    private final Server server;
    private final UpstreamConfig config;
    private final UpstreamHttp2Config http2;
    private final UpstreamPool pool;
    /** The stream of the exchange that had this connection opened; given once SETTINGS came. */
    private final Promise<UpstreamConnection> first;
    private ChannelHandlerContext ctx;
    private Http2StreamChannelBootstrap streams;
    private Deadline idle;
    private Deadline ping;
    private long lastHeardNanos;
    private boolean pingOutstanding;
    private boolean ready;
    private boolean retired;
    private long serverMaxStreams = Long.MAX_VALUE;
    private int active;
    private long opened;

    Http2UpstreamSession(Server server, UpstreamConfig config, UpstreamPool pool, Promise<UpstreamConnection> first) {
        this.server = server;
        this.config = config;
        this.http2 = config.http2();
        this.pool = pool;
        this.first = first;
    }

    Server server() {
        return server;
    }

    Channel channel() {
        return ctx.channel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.idle = new Deadline(ctx.executor(), this::onIdle);
        this.ping = new Deadline(ctx.executor(), this::onPingDue);
        this.streams = new Http2StreamChannelBootstrap(ctx.channel()).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                UpstreamConnection connection = new UpstreamConnection(server, config, pool, Http2UpstreamSession.this);
                stream.pipeline()
                        .addLast(UpstreamPool.RESETS, new StreamResets(connection))
                        .addLast(UpstreamPool.HTTP_CODEC, new Http2StreamFrameToHttpObjectCodec(false, false))
                        .addLast(UpstreamPool.UPSTREAM, connection);
            }
        });
        lastHeardNanos = System.nanoTime();
        // The connection reads freely: each stream's window holds the server back, not the socket.
        ctx.channel().config().setAutoRead(true);
        if (ctx.channel().isActive()) {
            // Added after an ALPN choice: the connection is up already.
            started();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        started();
        ctx.fireChannelActive();
    }

    private void started() {
        int raise = http2.connectionWindow() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (raise > 0) {
            // As towards clients: Netty keeps 65,535 for the connection until a WINDOW_UPDATE on stream 0.
            ctx.write(new DefaultHttp2WindowUpdateFrame(raise), ctx.voidPromise());
        }
        ctx.flush();
        ctx.read();
    }

    /** Whether a new stream may start now. */
    boolean hasRoom() {
        return ready && !retired && ctx.channel().isActive()
                && active < Math.min(serverMaxStreams, http2.maxConcurrentStreams())
                && (http2.maxRequests() == 0 || opened < http2.maxRequests());
    }

    /**
     * A new stream, for one exchange. On the connection's loop the stream channel registers at
     * once; null when it could not (the connection is closing).
     */
    UpstreamConnection openStream() {
        Future<Http2StreamChannel> opening = streams.open();
        if (!opening.isDone() || !opening.isSuccess()) {
            opening.addListener(f -> {
                if (f.isSuccess()) {
                    ((Http2StreamChannel) f.getNow()).close();
                }
            });
            return null;
        }
        active++;
        opened++;
        idle.disarm();
        if (http2.maxRequests() > 0 && opened >= http2.maxRequests()) {
            retire("its max_requests");
        }
        return opening.getNow().pipeline().get(UpstreamConnection.class);
    }

    /** A stream of this connection ended. */
    void streamClosed() {
        active--;
        if (active > 0) {
            if (hasRoom()) {
                server.wakeWaiterOn(ctx.channel().eventLoop());
            }
            return;
        }
        if (retired || server.hasWaiters() && !server.wakeWaiterOn(ctx.channel().eventLoop())) {
            // Retired, or requests wait on other loops: the connection's place is better freed.
            ctx.close();
            return;
        }
        armIdle();
    }

    /** The snapshot it belongs to was replaced: streams in flight finish, then it closes. */
    void retireForReload() {
        retire("the configuration was reloaded");
    }

    private void retire(String why) {
        if (!retired) {
            retired = true;
            LOG.debug("HTTP/2 connection to {} retired: {}", server, why);
            pool.sessionRetired(this);
        }
        if (active == 0) {
            ctx.close();
        }
    }

    private void armIdle() {
        long nanos = config.idleTimeout().toNanos();
        if (nanos > 0 && active == 0) {
            idle.arm(nanos);
        }
    }

    private void onIdle() {
        if (active == 0) {
            ctx.close();
        }
    }

    // ---- liveness ----------------------------------------------------------------------------

    private void armPing(long nanos) {
        if (nanos > 0) {
            ping.arm(nanos);
        }
    }

    private void onPingDue() {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (pingOutstanding) {
            LOG.debug("HTTP/2 connection to {} did not answer a PING within ping_timeout: closed", server);
            ctx.close();
            return;
        }
        long silent = System.nanoTime() - lastHeardNanos;
        long interval = http2.pingInterval().toNanos();
        if (silent < interval) {
            armPing(interval - silent);
            return;
        }
        pingOutstanding = true;
        ctx.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
        armPing(http2.pingTimeout().toNanos());
    }

    // ---- from the server ---------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastHeardNanos = System.nanoTime();
        try {
            if (msg instanceof Http2SettingsFrame settings) {
                Long max = settings.settings().maxConcurrentStreams();
                serverMaxStreams = max == null ? Long.MAX_VALUE : max;
                if (!ready) {
                    ready = true;
                    armPing(http2.pingInterval().toNanos());
                    onReady();
                }
            } else if (msg instanceof Http2PingFrame pingFrame && pingFrame.ack()) {
                pingOutstanding = false;
                armPing(http2.pingInterval().toNanos());
            } else if (msg instanceof Http2GoAwayFrame goAway) {
                retire("GOAWAY " + goAway.errorCode() + " from the server, last stream " + goAway.lastStreamId());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The server's SETTINGS came: the first stream goes to the exchange that had us opened. */
    private void onReady() {
        pool.sessionReady(this);
        UpstreamConnection stream = openStream();
        if (stream == null) {
            first.tryFailure(UpstreamFailure.closedBeforeResponse(server));
        } else if (!first.trySuccess(stream)) {
            // That exchange is gone meanwhile: its stream is not needed.
            stream.channel().close();
        }
        wakeWaiters();
    }

    /** Requests of this loop queued for a full server take the streams this connection has room for. */
    private void wakeWaiters() {
        for (int i = 0; i < MAX_WAKES && hasRoom() && server.wakeWaiterOn(ctx.channel().eventLoop()); i++) {
            // Each woken waiter picks again and finds the room.
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.cancel();
        ping.cancel();
        pool.sessionClosed(this);
        first.tryFailure(UpstreamFailure.closedBeforeSettings(server));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP/2 connection to {}: {}", server, cause.toString());
        first.tryFailure(cause);
        ctx.close();
    }

    @Override
    public String toString() {
        return "Http2UpstreamSession[" + server + " " + ctx.channel() + " streams=" + active + "]";
    }

    /** Hands a stream's RST_STREAM to its connection before anything else sees the event. */
    private static final class StreamResets extends ChannelInboundHandlerAdapter {
        private final UpstreamConnection connection;

        StreamResets(UpstreamConnection connection) {
            this.connection = connection;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // The multiplexer hands resets on as events: they are not flow-controlled reads.
            if (evt instanceof Http2ResetFrame reset) {
                connection.onStreamReset(reset.errorCode());
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
