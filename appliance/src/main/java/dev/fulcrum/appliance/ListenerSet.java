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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured listeners as one unit: bound at start or (with {@code listeners_follow_state})
 * each time this node becomes master, unbound when it stops being master, and reconciled with a
 * new configuration on reload. Unbinding stops accepting; connections already accepted carry on
 * to their end. Calls come from one thread at a time (start, the HA action thread, the reload
 * thread, close: all synchronized here), never from an event loop.
 */
final class ListenerSet {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerSet.class);
    static final long BIND_TIMEOUT_SECONDS = 10;

    private final EventLoops loops;
    private final Supplier<L7Snapshot> l7;
    private final Supplier<L4Snapshot> l4;
    private final MeterRegistry registry;
    private final Function<String, ServerTls> tls;
    private List<ListenerConfig> configs;
    private boolean wanted;
    private volatile Map<String, BoundListener> bound = Map.of();
    /** Unbound tcp listeners whose connections still run: shutdown drains them too. */
    private final List<TcpListener> retired = new ArrayList<>();

    /** @param tls the TLS termination of a listener, by name, looked up per connection; null for plain ones */
    ListenerSet(List<ListenerConfig> configs, EventLoops loops, Supplier<L7Snapshot> l7, Supplier<L4Snapshot> l4,
                MeterRegistry registry, Function<String, ServerTls> tls) {
        this.configs = List.copyOf(configs);
        this.loops = loops;
        this.l7 = l7;
        this.l4 = l4;
        this.registry = registry;
        this.tls = tls;
    }

    /** Binds every listener; on a failure, those already bound are unbound again. */
    synchronized void bind() throws StartException {
        wanted = true;
        if (!bound.isEmpty()) {
            return;
        }
        Map<String, BoundListener> made = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : configs) {
                made.put(listener.name(), open(listener));
            }
        } catch (StartException | RuntimeException e) {
            made.values().forEach(BoundListener::stopAccepting);
            throw e;
        }
        bound = Map.copyOf(made);
    }

    /** Stops accepting on every listener; open connections carry on. */
    synchronized void unbind() {
        wanted = false;
        Map<String, BoundListener> closing = bound;
        bound = Map.of();
        closing.values().forEach(this::retire);
    }

    /**
     * The first half of a reload: binds the listeners that are new or whose socket settings
     * changed (a changed one binds next to the old, sharing the port with SO_REUSEPORT where the
     * transport has it). Nothing stops accepting yet: {@link #commit} or {@link #abort} follows.
     */
    synchronized Reconciliation prepare(List<ListenerConfig> next) throws StartException {
        Map<String, BoundListener> kept = new LinkedHashMap<>();
        Map<String, BoundListener> opened = new LinkedHashMap<>();
        List<BoundListener> retiring = new ArrayList<>();
        Map<String, BoundListener> current = bound;
        try {
            for (ListenerConfig listener : next) {
                BoundListener old = current.get(listener.name());
                if (!wanted) {
                    continue;
                }
                if (old != null && sameSocket(old.config(), listener)) {
                    kept.put(listener.name(), old.withConfig(listener));
                } else {
                    opened.put(listener.name(), openBeside(old, listener, retiring));
                }
            }
        } catch (StartException | RuntimeException e) {
            opened.values().forEach(BoundListener::stopAccepting);
            throw e;
        }
        for (BoundListener old : current.values()) {
            if (!kept.containsKey(old.name()) && !retiring.contains(old)) {
                retiring.add(old);
            }
        }
        return new Reconciliation(List.copyOf(next), kept, opened, retiring);
    }

    /** Second half of a reload: the new set serves; removed and replaced listeners stop accepting. */
    synchronized void commit(Reconciliation change) {
        Map<String, BoundListener> now = new LinkedHashMap<>();
        for (ListenerConfig listener : change.configs()) {
            BoundListener entry = change.kept().getOrDefault(listener.name(), change.opened().get(listener.name()));
            if (entry != null) {
                now.put(listener.name(), entry);
            }
        }
        bound = Map.copyOf(now);
        configs = change.configs();
        change.retiring().forEach(this::retire);
        if (!change.opened().isEmpty() || !change.retiring().isEmpty()) {
            LOG.info("listeners: opened {}, stopped {}, kept {}", change.opened().keySet(),
                    change.retiring().stream().map(BoundListener::name).toList(), change.kept().keySet());
        }
    }

    /** A reload failed after {@link #prepare}: what it opened closes; the running set is untouched. */
    synchronized void abort(Reconciliation change) {
        change.opened().values().forEach(BoundListener::stopAccepting);
    }

    /**
     * Shutdown: stops accepting, then lets requests in flight and open tcp connections finish
     * within their listeners' {@code drain_timeout}. Returns when all are done.
     */
    synchronized void drain() {
        wanted = false;
        List<TcpListener> draining = new ArrayList<>(retired);
        retired.clear();
        List<Future<Void>> drains = new ArrayList<>();
        for (BoundListener listener : bound.values()) {
            if (listener.tcp() != null) {
                draining.add(listener.tcp());
            } else {
                drains.add(listener.http().drain());
            }
        }
        bound = Map.of();
        for (TcpListener listener : draining) {
            drains.add(listener.drain());
        }
        for (Future<Void> drain : drains) {
            // Each drain ends by its own deadline; the wait is bounded by the longest of them.
            drain.awaitUninterruptibly();
        }
    }

    List<HttpListener> http() {
        return bound.values().stream().map(BoundListener::http).filter(Objects::nonNull).toList();
    }

    List<TcpListener> tcp() {
        return bound.values().stream().map(BoundListener::tcp).filter(Objects::nonNull).toList();
    }

    /** Where a listener is bound now, if it is. */
    Optional<InetSocketAddress> address(String name) {
        return Optional.ofNullable(bound.get(name)).map(BoundListener::localAddress);
    }

    private void retire(BoundListener listener) {
        if (listener.http() != null) {
            // Not awaited: keep-alive connections close after their exchange in flight, in the background.
            listener.http().drain();
            return;
        }
        listener.stopAccepting();
        if (listener.tcp() != null) {
            retired.removeIf(tcp -> tcp.openConnections() == 0);
            retired.add(listener.tcp());
        }
    }

    /**
     * Opens {@code listener} while {@code old} (same name, other settings) still listens. Without
     * SO_REUSEPORT the port cannot be shared: the old one stops first, a short gap in accepting.
     */
    private BoundListener openBeside(BoundListener old, ListenerConfig listener, List<BoundListener> retiring)
            throws StartException {
        if (old == null || loops.transport().supportsReusePort() || !old.config().bind().equals(listener.bind())) {
            return open(listener);
        }
        retiring.add(old);
        old.stopAccepting();
        return open(listener);
    }

    /** What a connection is accepted with, beyond what each request reads from the snapshot. */
    private static boolean sameSocket(ListenerConfig a, ListenerConfig b) {
        return a.bind().equals(b.bind()) && a.protocol() == b.protocol()
                && a.proxyProtocol().equals(b.proxyProtocol()) && a.edge().equals(b.edge())
                && a.maxConnections() == b.maxConnections() && a.tcp().equals(b.tcp())
                && a.tls().clientAuth() == b.tls().clientAuth()
                && a.tls().clientCertHeader().equals(b.tls().clientCertHeader());
    }

    private BoundListener open(ListenerConfig listener) throws StartException {
        String name = listener.name();
        Supplier<ChannelHandler> handlers = tls.apply(name) == null ? null : () -> tls.apply(name).newHandler();
        if (listener.protocol().isHttp()) {
            return new BoundListener(listener, awaitBound(listener, HttpListener.start(listener, loops, l7, registry,
                    handlers)), null);
        }
        return new BoundListener(listener, null, awaitBound(listener, TcpListener.start(listener, loops, l4, registry,
                handlers)));
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
        return bound.values().toString();
    }

    /** A reload's listener changes between {@link #prepare} and {@link #commit} or {@link #abort}. */
    record Reconciliation(List<ListenerConfig> configs, Map<String, BoundListener> kept,
                          Map<String, BoundListener> opened, List<BoundListener> retiring) {
    }

    /** One bound listener, http or tcp, with the configuration it was bound with. */
    record BoundListener(ListenerConfig config, HttpListener http, TcpListener tcp) {

        String name() {
            return config.name();
        }

        BoundListener withConfig(ListenerConfig next) {
            return new BoundListener(next, http, tcp);
        }

        InetSocketAddress localAddress() {
            return http != null ? http.localAddress() : tcp.localAddress();
        }

        void stopAccepting() {
            Future<Void> closed = http != null ? http.close() : tcp.close();
            closed.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public String toString() {
            return (http != null ? http : tcp).toString();
        }
    }
}
