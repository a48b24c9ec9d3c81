package dev.fulcrum.l7;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.lbcore.ConnectionDrain;
import dev.fulcrum.lbcore.ConnectionLimit;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.ListeningSockets;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * An HTTP listener socket. With epoll, one socket per event loop is bound to the same port
 * with SO_REUSEPORT, each accepting onto its own loop, so the kernel spreads connections and
 * a connection never changes thread. With NIO, one socket accepts and connections are spread
 * over the loops in turn.
 *
 * <p>Each request reads the current snapshot from the supplier, so swapping the reference
 * behind it reloads routes and pools without touching the socket.
 */
public final class HttpListener {

    private final String name;
    private final ListeningSockets sockets;
    private final ChannelGroup connections;
    private final Duration drainTimeout;
    private final Http2Meters meters;

    private HttpListener(String name, ListeningSockets sockets, ChannelGroup connections, Duration drainTimeout,
                         Http2Meters meters) {
        this.meters = meters;
        this.name = name;
        this.sockets = sockets;
        this.connections = connections;
        this.drainTimeout = drainTimeout;
    }

    /**
     * Binds the listener. Call off the event loops: a bind address given as a name is resolved
     * here.
     *
     * @param snapshots the current snapshot, read once per request (e.g. {@code ref::get})
     * @return completes with the bound listener, or fails with the bind error
     */
    public static Future<HttpListener> start(ListenerConfig config, EventLoops loops, Supplier<L7Snapshot> snapshots) {
        return start(config, loops, snapshots, null);
    }

    /**
     * Binds the listener, holding it to its {@code max_connections}.
     *
     * @param registry where refused connections are counted; null only when the listener has no cap
     */
    public static Future<HttpListener> start(ListenerConfig config, EventLoops loops, Supplier<L7Snapshot> snapshots,
                                             MeterRegistry registry) {
        return start(config, loops, snapshots, registry, null);
    }

    /**
     * Binds an http listener, or an https one with its TLS termination.
     *
     * @param tls https: makes the handler that terminates TLS on a new connection (SNI, then the
     *     handshake); null for http
     */
    public static Future<HttpListener> start(ListenerConfig config, EventLoops loops, Supplier<L7Snapshot> snapshots,
                                             MeterRegistry registry, Supplier<ChannelHandler> tls) {
        boolean https = config.protocol() == Protocol.HTTPS;
        if (!config.protocol().isHttp() || https != (tls != null)) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol " + config.protocol().key()
                    + (https ? " needs its TLS termination" : " is not served by the HTTP proxy"));
        }
        ConnectionLimit limit = config.maxConnections() > 0
                ? new ConnectionLimit(config.name(), config.maxConnections(), registry) : null;
        ChannelGroup connections = new DefaultChannelGroup(config.name(), GlobalEventExecutor.INSTANCE);
        Http2Meters meters = new Http2Meters(config.name(), registry);
        HttpFrontendInitializer initializer = new HttpFrontendInitializer(config.name(), https ? "https" : "http",
                snapshots, limit, tls, https && config.tls().clientAuth() != ListenerTls.ClientAuth.NONE
                        ? config.tls().clientCertHeader() : null, connections, meters);
        Future<HttpListener> bound = ListeningSockets.bind(loops, config.name(), config.bind(),
                bootstrap -> bootstrap.childHandler(initializer),
                sockets -> new HttpListener(config.name(), sockets, connections, config.tcp().drainTimeout(), meters));
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                meters.close();
            }
        });
        return bound;
    }

    public String name() {
        return name;
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return sockets.localAddress();
    }

    /** Stops accepting. Connections already accepted carry on until they end; the listener's meters go. */
    public Future<Void> close() {
        meters.close();
        return sockets.close();
    }

    /** Client connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** {@link #drain(Duration)} with the listener's {@code drain_timeout}. */
    public Future<Void> drain() {
        return drain(drainTimeout);
    }

    /**
     * Stops accepting; idle keep-alive connections close at once, requests in flight finish
     * (their responses say {@code Connection: close}); connections still open at the deadline
     * are closed. Completes when none is left.
     */
    public Future<Void> drain(Duration deadline) {
        return ConnectionDrain.drain(name, close(), connections, deadline, () -> {
            for (Channel channel : connections) {
                channel.pipeline().fireUserEventTriggered(ListenerStopping.EVENT);
            }
        });
    }

    @Override
    public String toString() {
        return "HttpListener[" + name + " " + localAddress() + "]";
    }
}
