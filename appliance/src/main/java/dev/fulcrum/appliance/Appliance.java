package dev.fulcrum.appliance;

import dev.fulcrum.appliance.admin.AdminRoutes;
import dev.fulcrum.appliance.admin.AdminServer;
import dev.fulcrum.appliance.admin.BearerToken;
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
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import dev.fulcrum.tls.TlsConfigException;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

    /**
     * How long a replaced snapshot lives on for the requests that started on it: then its idle
     * backend connections close, and its meters that the running snapshot does not use go. Its
     * access log writers stay open while a later snapshot writes the same files.
     */
    private static final long RETIRED_SNAPSHOT_GRACE_SECONDS = 10;

    private final EventLoops loops;
    private final Metrics metrics;
    private final AtomicReference<L7Snapshot> snapshot;
    private final AtomicReference<L4Snapshot> l4Snapshot;
    private final ListenerSet listeners;
    private volatile AdminServer admin;
    private volatile ConfigReloader reloader;
    private volatile BearerToken token;
    private final AtomicReference<ActiveHealthChecks> checks;
    private final AtomicReference<TlsRuntime> tls;
    private final AtomicReference<HaRuntime> ha;
    private final AtomicReference<HealthMetrics> healthMetrics;
    private final AtomicReference<OutlierDetector> outliers;

    private Appliance(EventLoops loops, Metrics metrics, AtomicReference<L7Snapshot> snapshot,
                      AtomicReference<L4Snapshot> l4Snapshot, ListenerSet listeners,
                      AtomicReference<ActiveHealthChecks> checks, AtomicReference<TlsRuntime> tls,
                      AtomicReference<HaRuntime> ha, AtomicReference<HealthMetrics> healthMetrics,
                      AtomicReference<OutlierDetector> outliers) {
        this.tls = tls;
        this.ha = ha;
        this.loops = loops;
        this.metrics = metrics;
        this.snapshot = snapshot;
        this.l4Snapshot = l4Snapshot;
        this.listeners = listeners;
        this.checks = checks;
        this.healthMetrics = healthMetrics;
        this.outliers = outliers;
    }

    /** {@link #start(FulcrumConfig, Metrics, Path)} for a configuration not read from a file. */
    public static Appliance start(FulcrumConfig config, Metrics metrics) throws StartException {
        return start(config, metrics, null);
    }

    /**
     * Binds every listener of the configuration and the admin listener; on any failure, none
     * stays bound.
     *
     * @param file where the configuration was read, to read it again on reload; null when it
     *     came from memory (then only the admin API's weight changes reload)
     */
    public static Appliance start(FulcrumConfig config, Metrics metrics, Path file) throws StartException {
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
        AtomicReference<HealthMetrics> healthMetrics = new AtomicReference<>();
        AtomicReference<OutlierDetector> outliers = new AtomicReference<>();
        ListenerSet listeners = new ListenerSet(config.listeners(), loops, snapshot::get, l4Snapshot::get,
                metrics.registry(), name -> tls.get().server(name));
        Appliance appliance = new Appliance(loops, metrics, snapshot, l4Snapshot, listeners, checks, tls, ha,
                healthMetrics, outliers);
        try {
            // One set of servers for both layers: health and connection counts are per server, not per layer.
            Map<String, Pool> pools = Pools.build(config.pools());
            healthMetrics.set(HealthMetrics.bind(pools, metrics.registry()));
            outliers.set(new OutlierDetector(pools, config.pools(), GlobalEventExecutor.INSTANCE, metrics.registry()));
            tls.set(startTls(config, metrics));
            snapshot.set(L7Snapshot.build(config, pools, loops, metrics.registry(), outliers.get(),
                    tls.get().upstreams()));
            l4Snapshot.set(L4Snapshot.build(config, pools, metrics.registry(), outliers.get(), tls.get().upstreams()));
            checks.set(ActiveHealthChecks.start(pools, config.pools(), loops, metrics.registry()));
            boolean followMastership = config.ha().map(HaConfig::listenersFollowState).orElse(false);
            if (!followMastership) {
                listeners.bind();
            }
            appliance.reloader = new ConfigReloader(file, appliance, metrics.registry());
            appliance.token = readToken(config);
            appliance.admin = bindAdmin(config, AdminApi.routes(appliance, metrics.registry(), appliance.reloader),
                    () -> appliance.token);
            if (config.ha().isPresent()) {
                ha.set(HaRuntime.start(config.ha().get(), appliance::pools, metrics.registry(),
                        followMastership ? listeners : null));
            }
            log.info("started on {} event loops ({}): {}; admin on {}", loops.threads(), loops.transport(),
                    followMastership ? "listeners bound while master" : listeners, appliance.admin.localAddress());
            return appliance;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            appliance.close();
            throw new StartException(List.of(config.source() + ": interrupted while starting"), e);
        } catch (StartException | RuntimeException e) {
            appliance.close();
            if (e instanceof StartException start) {
                throw start;
            }
            throw new StartException(List.of(config.source() + ": " + e.getMessage()), e);
        }
    }

    /**
     * Replaces the running configuration with {@code next}, or leaves it running and says why.
     * Servers keep their health, admin state and connections by pool and server name; listeners
     * whose socket settings did not change keep their sockets (nothing is dropped: each new
     * connection and request reads the new routes); new and changed ones are bound before
     * anything stops. Call off the event loops: names are resolved and files read here.
     */
    public synchronized void reload(FulcrumConfig next) throws ReloadException {
        FulcrumConfig running = config();
        List<String> problems = new ArrayList<>(NotYetServed.find(next));
        problems.addAll(RestartOnly.changes(running, next));
        if (!problems.isEmpty()) {
            throw new ReloadException(problems);
        }
        L7Snapshot oldL7 = snapshot.get();
        L4Snapshot oldL4 = l4Snapshot.get();
        TlsRuntime oldTls = tls.get();
        TlsRuntime nextTls = null;
        L7Snapshot nextL7 = null;
        L4Snapshot nextL4 = null;
        OutlierDetector nextOutliers = null;
        ListenerSet.Reconciliation change;
        Map<String, Pool> pools;
        try {
            pools = Pools.build(next.pools(), oldL7.pools());
            nextOutliers = new OutlierDetector(pools, next.pools(), GlobalEventExecutor.INSTANCE, metrics.registry());
            nextTls = TlsRuntime.start(next, metrics.registry(), TlsRuntime.WATCH_PERIOD);
            nextL7 = L7Snapshot.build(next, pools, loops, metrics.registry(), nextOutliers, nextTls.upstreams(),
                    oldL7);
            nextL4 = L4Snapshot.build(next, pools, metrics.registry(), nextOutliers, nextTls.upstreams());
            // The new listeners must find their routes from their first connection: swap, then bind.
            tls.set(nextTls);
            snapshot.set(nextL7);
            l4Snapshot.set(nextL4);
            change = listeners.prepare(next.listeners());
        } catch (TlsConfigException | StartException | RuntimeException e) {
            tls.set(oldTls);
            snapshot.set(oldL7);
            l4Snapshot.set(oldL4);
            if (nextL7 != null) {
                nextL7.close();
            }
            if (nextL4 != null) {
                nextL4.close();
            }
            if (nextOutliers != null) {
                nextOutliers.close();
            }
            if (nextTls != null) {
                nextTls.close();
            }
            List<String> why = e instanceof StartException start ? start.problems()
                    : List.of(next.source() + ": " + e.getMessage());
            throw new ReloadException(why, e);
        }
        listeners.commit(change);
        try {
            token = readToken(next);
        } catch (UncheckedIOException e) {
            log.error("reload: {}; the previous admin token stays", e.getMessage());
        }
        // The gauges read server objects: the new ones are bound, then those of removed servers go.
        healthMetrics.getAndSet(HealthMetrics.bind(pools, metrics.registry())).close();
        outliers.getAndSet(nextOutliers).close();
        ActiveHealthChecks oldChecks = checks.getAndSet(ActiveHealthChecks.start(pools, next.pools(), loops,
                metrics.registry()));
        if (oldChecks != null) {
            oldChecks.close();
        }
        oldTls.close();
        nextTls.rebindGauges();
        GlobalEventExecutor.INSTANCE.schedule(() -> {
            oldL7.close();
            oldL4.close();
        }, RETIRED_SNAPSHOT_GRACE_SECONDS, TimeUnit.SECONDS);
        log.info("reloaded {}: {} listeners, {} pools", next.source(), next.listeners().size(), next.pools().size());
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

    private static AdminServer bindAdmin(FulcrumConfig config, AdminRoutes routes, Supplier<BearerToken> token)
            throws StartException {
        try {
            return AdminServer.start(config.admin().bind(), routes, token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException(List.of("admin: interrupted while binding " + config.admin().bind()), e);
        } catch (Exception e) {
            // Netty's sync() rethrows the bind failure (a BindException) undeclared: catch it whatever it is.
            throw new StartException(List.of(config.source() + ": admin: cannot bind " + config.admin().bind()
                    + ": " + e.getMessage()), e);
        }
    }

    /** The admin token from {@code admin.token_file}, or null: mutating calls refused. */
    private static BearerToken readToken(FulcrumConfig config) {
        return config.admin().tokenFile().map(path -> {
            try {
                return BearerToken.of(Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("admin: cannot read token file " + path, e);
            }
        }).orElse(null);
    }

    /** Reads the configuration file again and applies it if valid (SIGHUP, file change). */
    public CompletableFuture<Boolean> reloadConfig(String trigger) {
        return reloader.reload(trigger).thenApply(ConfigReloader.Outcome::applied);
    }

    /** The last reload's outcome, or null when none was tried. */
    ConfigReloader.Outcome lastReload() {
        ConfigReloader running = reloader;
        return running == null ? null : running.last();
    }

    /** Where a listener is bound now; empty when it is not (or follows mastership on a backup). */
    Optional<InetSocketAddress> boundAddress(String name) {
        return listeners.address(name);
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
        ConfigReloader reloading = reloader;
        if (reloading != null) {
            reloading.close();
        }
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
        AdminServer adminServer = admin;
        if (adminServer != null) {
            adminServer.close();
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
