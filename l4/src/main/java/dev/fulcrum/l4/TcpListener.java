package dev.fulcrum.l4;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.lbcore.ConnectionDrain;
import dev.fulcrum.lbcore.ConnectionLimit;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.ListeningSockets;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A tcp listener socket. With epoll, one socket per event loop shares the port with
 * SO_REUSEPORT so a connection is accepted on, and stays on, one thread together with its
 * backend connection; with NIO one socket accepts and spreads connections over the loops.
 *
 * <p>Each connection reads the current snapshot once, so swapping the reference behind the
 * supplier changes pools for new connections while open ones carry on.
 */
public final class TcpListener {

    private final String name;
    private final ListeningSockets sockets;
    private final ChannelGroup connections;
    private final Duration drainTimeout;
    private volatile boolean draining;

    private TcpListener(String name, ListeningSockets sockets, ChannelGroup connections, Duration drainTimeout) {
        this.name = name;
        this.sockets = sockets;
        this.connections = connections;
        this.drainTimeout = drainTimeout;
    }

    /**
     * Binds the listener. Call off the event loops: a bind address given as a name is resolved here.
     *
     * @param snapshots the current snapshot, read once per connection (e.g. {@code ref::get})
     * @return completes with the bound listener, or fails with the bind error
     * @throws IllegalArgumentException for a listener this module cannot serve
     */
    public static Future<TcpListener> start(ListenerConfig config, EventLoops loops, Supplier<L4Snapshot> snapshots,
                                            MeterRegistry registry) {
        return start(config, loops, snapshots, registry, null);
    }

    /**
     * Binds a tcp listener, or a tls one: TLS is terminated and the plain bytes relayed.
     *
     * @param tls tls: makes the handler that terminates TLS on a new connection; null for tcp
     */
    public static Future<TcpListener> start(ListenerConfig config, EventLoops loops, Supplier<L4Snapshot> snapshots,
                                            MeterRegistry registry, Supplier<ChannelHandler> tls) {
        boolean terminates = config.protocol() == Protocol.TLS;
        if (config.protocol() != Protocol.TCP && !terminates || terminates != (tls != null)) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol " + config.protocol().key()
                    + (terminates ? " needs its TLS termination" : " is not served by the TCP proxy"));
        }
        if (terminates && !config.routes().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name()
                    + ": routes on a tls listener are not served yet; use pool");
        }
        if (config.pool().isEmpty() && config.routes().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name() + ": a tcp listener needs a pool or routes");
        }
        ChannelGroup connections = new DefaultChannelGroup(config.name(), GlobalEventExecutor.INSTANCE);
        TcpListener[] made = new TcpListener[1];
        FrontendHandler frontend = new FrontendHandler(config.name(), snapshots,
                loops.transport().socketChannelClass(), connections, () -> made[0] != null && made[0].draining);
        ConnectionLimit limit = config.maxConnections() > 0
                ? new ConnectionLimit(config.name(), config.maxConnections(), registry) : null;
        return ListeningSockets.bind(loops, config.name(), config.bind(), bootstrap -> bootstrap
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel channel) {
                                if (limit != null) {
                                    channel.pipeline().addLast(limit);
                                }
                                if (tls != null) {
                                    channel.pipeline().addLast(tls.get());
                                }
                                channel.pipeline().addLast(frontend);
                            }
                        }),
                sockets -> made[0] = new TcpListener(config.name(), sockets, connections,
                        config.tcp().drainTimeout()));
    }

    public String name() {
        return name;
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return sockets.localAddress();
    }

    /** Client connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** The client channels open now. */
    Iterable<Channel> connections() {
        return connections;
    }

    /** Stops accepting. Connections already accepted carry on until they end. */
    public Future<Void> close() {
        draining = true;
        return sockets.close();
    }

    /** {@link #drain(Duration)} with the listener's {@code drain_timeout}. */
    public Future<Void> drain() {
        return drain(drainTimeout);
    }

    /**
     * Stops accepting, lets open connections finish, and closes those still open at the
     * deadline. Completes when no connection is left.
     */
    public Future<Void> drain(Duration deadline) {
        // Channels accepted after close() are refused by the draining flag.
        return ConnectionDrain.drain(name, close(), connections, deadline, () -> { });
    }

    @Override
    public String toString() {
        return "TcpListener[" + name + " " + localAddress() + "]";
    }
}
