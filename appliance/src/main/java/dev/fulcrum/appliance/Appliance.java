package dev.fulcrum.appliance;

import dev.fulcrum.appliance.admin.AdminEndpoint;
import dev.fulcrum.appliance.admin.AdminServer;
import dev.fulcrum.appliance.admin.MetricsEndpoint;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.HaConfig;
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
import dev.fulcrum.tls.TlsConfigException;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appliance: the event loops, the current configuration snapshot, the
 * listeners serving it and the admin listener. Built whole or not at all.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    private final EventLoops loops;
    private final AtomicReference<L7Snapshot> snapshot;
    private final ListenerSet listeners;
    private final AdminServer admin;
    private final AtomicReference<ActiveHealthChecks> checks;
    private final AtomicReference<TlsRuntime> tls;
    private final AtomicReference<HaRuntime> ha;

    private Appliance(EventLoops loops, AtomicReference<L7Snapshot> snapshot, ListenerSet listeners,
                      AdminServer admin, AtomicReference<ActiveHealthChecks> checks,
                      AtomicReference<TlsRuntime> tls, AtomicReference<HaRuntime> ha) {
        this.tls = tls;
        this.ha = ha;
        this.loops = loops;
        this.snapshot = snapshot;
        this.listeners = listeners;
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
        AtomicReference<ActiveHealthChecks> checks = new AtomicReference<>();
        AtomicReference<TlsRuntime> tls = new AtomicReference<>();
        AtomicReference<HaRuntime> ha = new AtomicReference<>();
        ListenerSet listeners = new ListenerSet(config.listeners(), loops, snapshot::get, l4Snapshot::get,
                metrics.registry(), name -> tls.get().server(name));
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
            boolean followMastership = config.ha().map(HaConfig::listenersFollowState).orElse(false);
            if (!followMastership) {
                listeners.bind();
            }
            admin = bindAdmin(config, metrics);
            if (config.ha().isPresent()) {
                ha.set(HaRuntime.start(config.ha().get(), pools, metrics.registry(),
                        followMastership ? listeners : null));
            }
            Appliance appliance = new Appliance(loops, snapshot, listeners, admin, checks, tls, ha);
            log.info("started on {} event loops ({}): {}; admin on {}", loops.threads(), loops.transport(),
                    followMastership ? "listeners bound while master" : listeners, admin.localAddress());
            return appliance;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            new Appliance(loops, snapshot, listeners, admin, checks, tls, ha).close();
            throw new StartException(List.of(config.source() + ": interrupted while starting"), e);
        } catch (StartException | RuntimeException e) {
            new Appliance(loops, snapshot, listeners, admin, checks, tls, ha).close();
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

    /** The http and https listeners bound now. */
    public List<HttpListener> listeners() {
        return listeners.http();
    }

    /**
     * The address a named listener is bound to (the real port when the configuration said 0).
     *
     * @throws IllegalArgumentException when it is not bound: no such listener, or listeners that
     *     follow mastership on a node that is not master
     */
    public InetSocketAddress listenerAddress(String name) {
        return listeners.address(name).orElseThrow(() -> new IllegalArgumentException("listener " + name
                + " is not bound" + (config().listener(name).isPresent() ? " (this node is not master)" : "")));
    }

    /** The tcp and tls listeners bound now. */
    public List<TcpListener> tcpListeners() {
        return listeners.tcp();
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
        listeners.drain();
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
