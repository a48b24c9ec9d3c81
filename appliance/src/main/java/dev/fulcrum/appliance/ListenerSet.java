package dev.fulcrum.appliance;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.l4.L4Snapshot;
import dev.fulcrum.l4.TcpListener;
import dev.fulcrum.l7.HttpListener;
import dev.fulcrum.l7.L7Snapshot;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.tls.ServerTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The configured listeners as one unit that can be bound and unbound: at start, or (with
 * {@code listeners_follow_state}) each time this node becomes or stops being master. Unbinding
 * stops accepting; connections already accepted carry on to their end. Calls come from one
 * thread at a time (start, then the HA action thread, then close), never an event loop.
 */
final class ListenerSet {

    static final long BIND_TIMEOUT_SECONDS = 10;

    private final List<ListenerConfig> configs;
    private final EventLoops loops;
    private final Supplier<L7Snapshot> l7;
    private final Supplier<L4Snapshot> l4;
    private final MeterRegistry registry;
    private final Function<String, ServerTls> tls;
    private volatile List<HttpListener> http = List.of();
    private volatile List<TcpListener> tcp = List.of();
    /** Unbound tcp listeners whose connections still run: shutdown drains them too. */
    private final List<TcpListener> retired = new ArrayList<>();

    /** @param tls the TLS termination of a listener, by name; null for plain listeners */
    ListenerSet(List<ListenerConfig> configs, EventLoops loops, Supplier<L7Snapshot> l7, Supplier<L4Snapshot> l4,
                MeterRegistry registry, Function<String, ServerTls> tls) {
        this.configs = List.copyOf(configs);
        this.loops = loops;
        this.l7 = l7;
        this.l4 = l4;
        this.registry = registry;
        this.tls = tls;
    }

    boolean isBound() {
        return !http.isEmpty() || !tcp.isEmpty();
    }

    /** Binds every listener; on a failure, those already bound are unbound again. */
    synchronized void bind() throws StartException {
        if (isBound()) {
            return;
        }
        List<HttpListener> boundHttp = new ArrayList<>();
        List<TcpListener> boundTcp = new ArrayList<>();
        try {
            for (ListenerConfig listener : configs) {
                ServerTls terminating = tls.apply(listener.name());
                Supplier<ChannelHandler> handlers = terminating == null ? null : terminating::newHandler;
                if (listener.protocol().isHttp()) {
                    boundHttp.add(awaitBound(listener, HttpListener.start(listener, loops, l7, registry, handlers)));
                } else {
                    boundTcp.add(awaitBound(listener, TcpListener.start(listener, loops, l4, registry, handlers)));
                }
            }
        } catch (StartException | RuntimeException e) {
            boundHttp.forEach(ListenerSet::closeHttp);
            boundTcp.forEach(listener -> listener.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            throw e;
        }
        http = List.copyOf(boundHttp);
        tcp = List.copyOf(boundTcp);
    }

    /** Stops accepting on every listener; open connections carry on. */
    synchronized void unbind() {
        List<HttpListener> closingHttp = http;
        List<TcpListener> closingTcp = tcp;
        http = List.of();
        tcp = List.of();
        closingHttp.forEach(ListenerSet::closeHttp);
        closingTcp.forEach(listener -> listener.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        retired.removeIf(listener -> listener.openConnections() == 0);
        retired.addAll(closingTcp);
    }

    /**
     * Shutdown: stops accepting, then lets open tcp connections finish within their listeners'
     * {@code drain_timeout}. Returns when all are done.
     */
    synchronized void drain() {
        List<TcpListener> draining = new ArrayList<>(tcp);
        draining.addAll(retired);
        retired.clear();
        http.forEach(ListenerSet::closeHttp);
        http = List.of();
        tcp = List.of();
        List<Future<Void>> drains = new ArrayList<>();
        for (TcpListener listener : draining) {
            drains.add(listener.drain());
        }
        for (Future<Void> drain : drains) {
            // Each drain ends by its own deadline; the wait is bounded by the longest of them.
            drain.awaitUninterruptibly();
        }
    }

    List<HttpListener> http() {
        return http;
    }

    List<TcpListener> tcp() {
        return tcp;
    }

    /** Where a listener is bound now, if it is. */
    Optional<InetSocketAddress> address(String name) {
        return http.stream().filter(l -> l.name().equals(name)).findFirst().map(HttpListener::localAddress)
                .or(() -> tcp.stream().filter(l -> l.name().equals(name)).findFirst().map(TcpListener::localAddress));
    }

    private static void closeHttp(HttpListener listener) {
        listener.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits for a listener's sockets; a bind that fails or hangs fails, naming the listener. */
    private static <T> T awaitBound(ListenerConfig listener, Future<T> started) throws StartException {
        if (!started.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new StartException(List.of(listener.location() + ": listener " + listener.name()
                    + ": binding " + listener.bind() + " did not finish in " + BIND_TIMEOUT_SECONDS + "s"));
        }
        if (!started.isSuccess()) {
            throw new StartException(List.of(listener.location() + ": listener " + listener.name()
                    + ": cannot bind " + listener.bind() + ": " + started.cause().getMessage()), started.cause());
        }
        return started.getNow();
    }

    @Override
    public String toString() {
        return http + " " + tcp;
    }
}
