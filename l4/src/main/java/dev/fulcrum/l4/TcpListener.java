package dev.fulcrum.l4;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.ListeningSockets;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
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

    private TcpListener(String name, ListeningSockets sockets) {
        this.name = name;
        this.sockets = sockets;
    }

    /**
     * Binds the listener. Call off the event loops: a bind address given as a name is resolved here.
     *
     * @param snapshots the current snapshot, read once per connection (e.g. {@code ref::get})
     * @return completes with the bound listener, or fails with the bind error
     * @throws IllegalArgumentException for a listener this module cannot serve yet
     */
    public static Future<TcpListener> start(ListenerConfig config, EventLoops loops, Supplier<L4Snapshot> snapshots) {
        if (config.protocol() != Protocol.TCP) {
            throw new IllegalArgumentException("listener " + config.name() + ": protocol " + config.protocol().key()
                    + " is not served by the TCP proxy");
        }
        if (!config.routes().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name()
                    + ": routes on sni are not implemented yet; use pool");
        }
        if (config.pool().isEmpty()) {
            throw new IllegalArgumentException("listener " + config.name() + ": a tcp listener needs a pool");
        }
        FrontendHandler frontend = new FrontendHandler(config.name(), snapshots, loops.transport().socketChannelClass());
        return ListeningSockets.bind(loops, config.name(), config.bind(), bootstrap -> bootstrap
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childHandler(frontend),
                sockets -> new TcpListener(config.name(), sockets));
    }

    public String name() {
        return name;
    }

    /** The address actually bound: with port 0 configured, the port the kernel chose. */
    public InetSocketAddress localAddress() {
        return sockets.localAddress();
    }

    /** Stops accepting. Connections already accepted carry on until they end. */
    public Future<Void> close() {
        return sockets.close();
    }

    @Override
    public String toString() {
        return "TcpListener[" + name + " " + localAddress() + "]";
    }
}
