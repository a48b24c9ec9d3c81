package dev.fulcrum.appliance;

import dev.fulcrum.appliance.admin.AdminEndpoint;
import dev.fulcrum.appliance.admin.AdminServer;
import dev.fulcrum.appliance.admin.MetricsEndpoint;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.l4.L4Snapshot;
import dev.fulcrum.l4.TcpListener;
import dev.fulcrum.l7.HttpListener;
import dev.fulcrum.l7.L7Snapshot;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.health.ActiveHealthChecks;
import dev.fulcrum.health.HealthMetrics;
import dev.fulcrum.health.OutlierDetector;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import dev.fulcrum.tls.ServerTls;
import dev.fulcrum.tls.TlsConfigException;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appliance: the event loops, the current configuration snapshot, the
 * listeners serving it and the admin listener. Built whole or not at all.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Appliance.class);
    private static final long BIND_TIMEOUT_SECONDS = 10;

    private final EventLoops loops;
    private final AtomicReference<L7Snapshot> snapshot;
    private final List<HttpListener> listeners;
    private final List<TcpListener> tcpListeners;
    private final AdminServer admin;
    private final AtomicReference<ActiveHealthChecks> checks;
    private final AtomicReference<TlsRuntime> tls;
    private final AtomicReference<HaRuntime> ha;

    private Appliance(EventLoops loops, AtomicReference<L7Snapshot> snapshot, List<HttpListener> listeners,
                      List<TcpListener> tcpListeners, AdminServer admin, AtomicReference<ActiveHealthChecks> checks,
                      AtomicReference<TlsRuntime> tls, AtomicReference<HaRuntime> ha) {
        this.tls = tls;
        this.ha = ha;
        this.loops = loops;
        this.snapshot = snapshot;
        this.listeners = List.copyOf(listeners);
        this.tcpListeners = List.copyOf(tcpListeners);
        this.admin = admin;
        this.checks = checks;
    }

    /** Binds every listener of the configuration and the admin listener; on any failure, none stays bound. */
    public static Appliance start(FulcrumConfig config, Metrics metrics) throws StartException {
        List<String> unserved = NotYetServed.find(config);
        if (!unserved.isEmpty()) {
            throw new StartException(unserved);
        }
        EventLoops loops = EventLoops.create(config.workers());
        AtomicReference<L7Snapshot> snapshot = new AtomicReference<>();
        AtomicReference<L4Snapshot> l4Snapshot = new AtomicReference<>();
        List<HttpListener> listeners = new ArrayList<>();
        List<TcpListener> tcpListeners = new ArrayList<>();
        AtomicReference<ActiveHealthChecks> checks = new AtomicReference<>();
        AtomicReference<TlsRuntime> tls = new AtomicReference<>();
        AtomicReference<HaRuntime> ha = new AtomicReference<>();
        AdminServer admin = null;
        try {
            // One set of servers for both layers: health and connection counts are per server, not per layer.
            Map<String, Pool> pools = Pools.build(config.pools());
            HealthMetrics.bind(pools, metrics.registry());
            PassiveHealth passive = new OutlierDetector(pools, config.pools(), GlobalEventExecutor.INSTANCE,
                    metrics.registry());
            tls.set(startTls(config, metrics));
            snapshot.set(L7Snapshot.build(config, pools, loops, metrics.registry(), passive, tls.get().upstreams()));
            l4Snapshot.set(L4Snapshot.build(config, pools, metrics.registry(), passive, tls.get().upstreams()));
            checks.set(ActiveHealthChecks.start(pools, config.pools(), loops, metrics.registry()));
            for (ListenerConfig listener : config.listeners()) {
                ServerTls terminating = tls.get().server(listener.name());
                Supplier<ChannelHandler> handlers = terminating == null ? null : terminating::newHandler;
                if (listener.protocol().isHttp()) {
                    listeners.add(awaitBound(listener, HttpListener.start(listener, loops, snapshot::get,
                            metrics.registry(), handlers)));
                } else {
                    tcpListeners.add(awaitBound(listener, TcpListener.start(listener, loops, l4Snapshot::get,
                            metrics.registry(), handlers)));
                }
            }
            admin = bindAdmin(config, metrics);
            if (config.ha().isPresent()) {
                ha.set(HaRuntime.start(config.ha().get(), pools, metrics.registry()));
            }
            Appliance appliance = new Appliance(loops, snapshot, listeners, tcpListeners, admin, checks, tls, ha);
            log.info("started on {} event loops ({}): {} {}; admin on {}", loops.threads(), loops.transport(),
                    listeners, tcpListeners, admin.localAddress());
            return appliance;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            new Appliance(loops, snapshot, listeners, tcpListeners, admin, checks, tls, ha).close();
            throw new StartException(List.of(config.source() + ": interrupted while starting"), e);
        } catch (StartException | RuntimeException e) {
            new Appliance(loops, snapshot, listeners, tcpListeners, admin, checks, tls, ha).close();
            if (e instanceof StartException start) {
                throw start;
            }
            throw new StartException(List.of(config.source() + ": " + e.getMessage()), e);
        }
    }

    private static TlsRuntime startTls(FulcrumConfig config, Metrics metrics) throws StartException {
        try {
            return TlsRuntime.start(config, metrics.registry(), TlsRuntime.WATCH_PERIOD);
        } catch (TlsConfigException e) {
            throw new StartException(List.of(config.source() + ": " + e.getMessage()), e);
        }
    }

    /** Re-reads the certificates of every TLS listener: new handshakes get the new ones. */
    public void reloadCertificates() {
        TlsRuntime running = tls.get();
        if (running != null) {
            running.reload();
        }
    }

    /** Waits for a listener's sockets; a bind that fails or hangs fails the start, naming the listener. */
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

    private static AdminServer bindAdmin(FulcrumConfig config, Metrics metrics) throws StartException {
        Map<String, AdminEndpoint> endpoints = Map.of("/metrics", new MetricsEndpoint(metrics.registry()));
        try {
            return AdminServer.start(config.admin().bind(), endpoints);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException(List.of("admin: interrupted while binding " + config.admin().bind()), e);
        } catch (RuntimeException e) {
            throw new StartException(List.of(config.source() + ": admin: cannot bind " + config.admin().bind()
                    + ": " + e.getMessage()), e);
        }
    }

    public List<HttpListener> listeners() {
        return listeners;
    }

    /** The address a named listener is bound to (the real port when the configuration said 0). */
    public InetSocketAddress listenerAddress(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst()
                .map(HttpListener::localAddress)
                .or(() -> tcpListeners.stream().filter(l -> l.name().equals(name)).findFirst()
                        .map(TcpListener::localAddress))
                .orElseThrow(() -> new IllegalArgumentException("no listener " + name));
    }

    public List<TcpListener> tcpListeners() {
        return tcpListeners;
    }

    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    /** This node's state in the pair, or null without an {@code ha} block. */
    public dev.fulcrum.ha.HaState haState() {
        HaRuntime pair = ha.get();
        return pair == null ? null : pair.state();
    }

    /** The running pools and their servers, by name. */
    public Map<String, Pool> pools() {
        return snapshot.get().pools();
    }

    public FulcrumConfig config() {
        return snapshot.get().config();
    }

    /**
     * Stops accepting, lets open tcp connections finish within their listeners' drain_timeout,
     * closes the admin listener, then lets the event loops finish.
     */
    @Override
    public void close() {
        // The peer takes over first, so it serves while this node drains.
        HaRuntime pair = ha.getAndSet(null);
        if (pair != null) {
            pair.close();
        }
        for (HttpListener listener : listeners) {
            listener.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        List<Future<Void>> drains = new ArrayList<>();
        for (TcpListener listener : tcpListeners) {
            drains.add(listener.drain());
        }
        for (Future<Void> drain : drains) {
            // Each drain ends by its own deadline; the wait is bounded by the longest of them.
            drain.awaitUninterruptibly();
        }
        ActiveHealthChecks running = checks.getAndSet(null);
        if (running != null) {
            running.close();
        }
        if (admin != null) {
            admin.close();
        }
        TlsRuntime runningTls = tls.getAndSet(null);
        if (runningTls != null) {
            runningTls.close();
        }
        L7Snapshot current = snapshot.getAndSet(null);
        if (current != null) {
            current.close();
        }
        loops.close();
    }
}
