package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.config.UpstreamHttp2Config;
import dev.fulcrum.config.UpstreamProtocol;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend connections of one event loop. Confined to that loop, so plain collections and
 * no locks; a frontend only ever uses the pool of its own loop, and backend channels are
 * registered on that same loop. Idle keep-alive connections are reused (most recent first)
 * before new ones are opened, which keeps the number of backend connections close to the
 * number of concurrent requests. Each connection follows its pool's {@link UpstreamConfig}:
 * connect timeout, idle timeout and the number of idle connections kept per server.
 */
final class UpstreamPool {

    static final String TLS = "tls";
    static final String HTTP_ENCODER = "http-encoder";
    static final String HTTP_DECODER = "http-decoder";
    static final String UPSTREAM = "upstream";
    static final String HTTP_CODEC = "http-codec";
    static final String RESETS = "resets";
    static final String H2_CODEC = "h2-codec";
    static final String H2_FLUSHES = "h2-flushes";
    static final String H2_MULTIPLEX = "h2-multiplex";
    static final String H2_SESSION = "h2-session";
    static final String ALPN = "alpn";
    /** The stages that speak HTTP; an upgraded connection drops them, the decoder last (it may hold tunnel bytes). */
    static final List<String> HTTP_STAGES = List.of(HTTP_ENCODER, HTTP_DECODER);

    private static final int MAX_RESPONSE_LINE = 8 * 1024;
    private static final int MAX_RESPONSE_HEADERS = 64 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<Server, ArrayDeque<UpstreamConnection>> idle = new IdentityHashMap<>();
    /** HTTP/2 connections that take new streams, by server. */
    private final Map<Server, ArrayList<Http2UpstreamSession>> sessions = new IdentityHashMap<>();
    private boolean closed;

    UpstreamPool(EventLoop loop, Transport transport) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannelClass())
                // Addresses are resolved when the snapshot is built: never block this loop on DNS.
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * The most recently used idle connection to this server, or a new stream on one of its
     * HTTP/2 connections with room; null when there is neither.
     */
    UpstreamConnection pollIdle(Server server) {
        ArrayDeque<UpstreamConnection> connections = idle.get(server);
        if (connections == null) {
            return sessions.isEmpty() ? null : streamOn(server);
        }
        UpstreamConnection connection;
        while ((connection = connections.pollLast()) != null) {
            server.idleChanged(-1);
            if (connection.channel().isActive()) {
                return connection;
            }
        }
        return sessions.isEmpty() ? null : streamOn(server);
    }

    /** Whether an HTTP/2 connection of this loop to the server takes another stream now. */
    boolean hasStreamRoom(Server server) {
        ArrayList<Http2UpstreamSession> open = sessions.get(server);
        if (open != null) {
            for (int i = 0; i < open.size(); i++) {
                if (open.get(i).hasRoom()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A new stream on an HTTP/2 connection to the server that has room for one. */
    private UpstreamConnection streamOn(Server server) {
        ArrayList<Http2UpstreamSession> open = sessions.get(server);
        if (open == null) {
            return null;
        }
        for (int i = 0; i < open.size(); i++) {
            Http2UpstreamSession session = open.get(i);
            if (session.hasRoom()) {
                UpstreamConnection stream = session.openStream();
                if (stream != null) {
                    return stream;
                }
            }
        }
        return null;
    }

    /**
     * Opens a connection for a pool whose protocol is http2 or auto, and gives the stream (or,
     * where ALPN chose HTTP/1.1, the connection) of the exchange that asked, once the server's
     * SETTINGS came. Counted by the caller as {@link #connect} is.
     */
    Future<UpstreamConnection> connectForStream(Server server, UpstreamConfig config, UpstreamTlsDialer tls) {
        Promise<UpstreamConnection> leased = loop.newPromise();
        ChannelFuture future = connectBootstrap(config)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc(), server.address().getHostString(),
                                    server.address().getPort()));
                        }
                        if (config.protocol() == UpstreamProtocol.AUTO && tls != null) {
                            ch.pipeline().addLast(ALPN, new UpstreamAlpn(
                                    pipeline -> addHttp1Stages(pipeline, server, config, leased),
                                    pipeline -> addHttp2Stages(pipeline, server, config, leased)));
                        } else {
                            addHttp2Stages(ch.pipeline(), server, config, leased);
                        }
                    }
                })
                .connect(server.address());
        future.channel().closeFuture().addListener(f -> server.releaseConnection());
        future.addListener(f -> {
            if (!f.isSuccess()) {
                leased.tryFailure(f.cause());
            }
        });
        return leased;
    }

    private void addHttp2Stages(ChannelPipeline pipeline, Server server, UpstreamConfig config,
                                Promise<UpstreamConnection> leased) {
        UpstreamHttp2Config http2 = config.http2();
        Http2Settings settings = new Http2Settings()
                .pushEnabled(false)
                .initialWindowSize(http2.initialWindow())
                .maxHeaderListSize(http2.maxHeaderList());
        // One socket write per event-loop turn for all the streams that flushed in it.
        pipeline.addLast(H2_FLUSHES, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addLast(H2_CODEC, Http2FrameCodecBuilder.forClient().initialSettings(settings)
                .validateHeaders(true).build());
        pipeline.addLast(H2_MULTIPLEX, new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        pipeline.addLast(H2_SESSION, new Http2UpstreamSession(server, config, this, leased));
    }

    /** ALPN chose HTTP/1.1 on an auto pool: an HTTP/1 connection, leased to the exchange that asked. */
    private void addHttp1Stages(ChannelPipeline pipeline, Server server, UpstreamConfig config,
                                Promise<UpstreamConnection> leased) {
        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(responseDecoderConfig());
        UpstreamConnection connection = new UpstreamConnection(server, config, UpstreamPool.this, decoder);
        pipeline.addLast(HTTP_DECODER, decoder)
                .addLast(HTTP_ENCODER, new HttpRequestEncoder())
                .addLast(UPSTREAM, connection);
        if (!leased.trySuccess(connection)) {
            release(connection, true);
        }
    }

    /** The server's SETTINGS came: the connection takes streams. */
    void sessionReady(Http2UpstreamSession session) {
        if (closed) {
            return;
        }
        sessions.computeIfAbsent(session.server(), s -> new ArrayList<>(2)).add(session);
    }

    /** No new streams on it (GOAWAY, max_requests): those in flight finish. */
    void sessionRetired(Http2UpstreamSession session) {
        ArrayList<Http2UpstreamSession> open = sessions.get(session.server());
        if (open != null) {
            open.remove(session);
            if (open.isEmpty()) {
                sessions.remove(session.server());
            }
        }
    }

    void sessionClosed(Http2UpstreamSession session) {
        sessionRetired(session);
    }

    /**
     * Opens a connection. The caller has counted it with {@link Server#tryAcquireConnection()};
     * it is uncounted when the channel closes, whatever the reason.
     */
    ChannelFuture connect(Server server, UpstreamConfig config) {
        return connect(server, config, null);
    }

    /** @param tls TLS to the server, or null: plain. Requests written before the handshake wait for it. */
    ChannelFuture connect(Server server, UpstreamConfig config, UpstreamTlsDialer tls) {
        ChannelFuture future = connectBootstrap(config)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc(), server.address().getHostString(),
                                    server.address().getPort()));
                        }
                        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(responseDecoderConfig());
                        ch.pipeline()
                                .addLast(HTTP_DECODER, decoder)
                                .addLast(HTTP_ENCODER, new HttpRequestEncoder())
                                .addLast(UPSTREAM, new UpstreamConnection(server, config, UpstreamPool.this, decoder));
                    }
                })
                .connect(server.address());
        future.channel().closeFuture().addListener(f -> server.releaseConnection());
        return future;
    }

    /** A bootstrap for one connection with the pool's connect timeout (a connect timeout gives 504). */
    Bootstrap connectBootstrap(UpstreamConfig config) {
        return bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()));
    }

    private static HttpDecoderConfig responseDecoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_RESPONSE_LINE)
                .setMaxHeaderSize(MAX_RESPONSE_HEADERS)
                .setMaxChunkSize(MAX_CHUNK)
                .setUseRfc9112TransferEncoding(true);
    }

    /**
     * Takes back a connection whose lease ended. A connection is kept only when the caller
     * says the exchange left it clean (both messages complete, keep-alive on both sides).
     */
    void release(UpstreamConnection connection, boolean reusable) {
        connection.endLease();
        if (connection.isStream()) {
            // A stream is done with its exchange: closed (reset, if it is not over on both sides).
            connection.channel().close();
            return;
        }
        Channel channel = connection.channel();
        if (!reusable || closed || !channel.isActive()) {
            channel.close();
            return;
        }
        Server server = connection.server();
        boolean handedOver = false;
        if (server.hasWaiters()) {
            // Requests wait for a full server. One waiting on this loop takes the connection as it is;
            // else its capacity goes back to the queue (closing it wakes a waiter on another loop).
            handedOver = server.wakeWaiterOn(loop);
            if (!handedOver) {
                channel.close();
                return;
            }
        }
        ArrayDeque<UpstreamConnection> connections = idle.computeIfAbsent(server, s -> new ArrayDeque<>());
        if (!handedOver && connections.size() >= connection.config().maxIdle()) {
            channel.close();
            return;
        }
        connections.addLast(connection);
        server.idleChanged(1);
        // A read outstanding while idle is how a close by the backend gets noticed.
        channel.read();
    }

    /** Closes the oldest idle connection to that server, if any. Runs on the loop. */
    void closeOneIdle(Server server) {
        closeOneIdle(server, null);
    }

    /**
     * Closes the oldest idle connection to that server; {@code whenClosed} (may be null) runs
     * once it is closed and its place counted free.
     *
     * @return false when this loop has none
     */
    boolean closeOneIdle(Server server, Runnable whenClosed) {
        ArrayDeque<UpstreamConnection> connections = idle.get(server);
        UpstreamConnection oldest = connections == null ? null : connections.pollFirst();
        if (oldest == null) {
            return false;
        }
        server.idleChanged(-1);
        ChannelFuture closed = oldest.channel().close();
        if (whenClosed != null) {
            closed.addListener(f -> whenClosed.run());
        }
        return true;
    }

    void removeIdle(UpstreamConnection connection) {
        ArrayDeque<UpstreamConnection> connections = idle.get(connection.server());
        if (connections != null && connections.remove(connection)) {
            connection.server().idleChanged(-1);
        }
    }

    int idleCount(Server server) {
        ArrayDeque<UpstreamConnection> connections = idle.get(server);
        return connections == null ? 0 : connections.size();
    }

    /** Closes every idle connection and every connection released from now on. Runs on the loop. */
    void close() {
        closed = true;
        List<UpstreamConnection> all = new ArrayList<>();
        idle.values().forEach(all::addAll);
        idle.clear();
        all.forEach(c -> {
            c.server().idleChanged(-1);
            c.channel().close();
        });
        // HTTP/2 connections take no new stream; each closes when its last stream ends.
        List<Http2UpstreamSession> open = new ArrayList<>();
        sessions.values().forEach(open::addAll);
        sessions.clear();
        open.forEach(Http2UpstreamSession::retireForReload);
    }
}
