package dev.fulcrum.l7;

import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.l7.accesslog.AccessLogs;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the HTTP listeners need from one configuration, built once and immutable: runtime
 * pools, each listener's compiled routes and cached meters, and the per-loop upstream
 * connection pools. A reload builds a new snapshot and swaps one reference; listeners read
 * that reference once per request.
 *
 * <p>Built on the snapshot it replaces, a snapshot carries over what must not restart: each
 * route's count of requests in flight (its concurrency limit), and the access log writers of
 * files still written the same way. Its meters are registered in a {@link MeterScope}: when
 * it closes, those of routes, pools and servers no later snapshot has leave the registry.
 */
public final class L7Snapshot implements AutoCloseable {

    private final FulcrumConfig config;
    private final Map<String, Pool> pools;
    private final Map<String, HttpRoutes> listeners;
    private final UpstreamPools upstreams;
    private final PassiveHealth health;
    private final AccessLogs accessLogs;
    private final MeterScope meters;

    private L7Snapshot(FulcrumConfig config, Map<String, Pool> pools, Map<String, HttpRoutes> listeners,
                       UpstreamPools upstreams, PassiveHealth health, AccessLogs accessLogs, MeterScope meters) {
        this.config = config;
        this.pools = pools;
        this.listeners = listeners;
        this.upstreams = upstreams;
        this.health = health;
        this.accessLogs = accessLogs;
        this.meters = meters;
    }

    /** Builds with no passive health reporting. */
    public static L7Snapshot build(FulcrumConfig config, EventLoops loops, MeterRegistry registry) {
        return build(config, loops, registry, PassiveHealth.NONE);
    }

    /**
     * Call off the event loops: server host names are resolved here.
     *
     * @throws IllegalArgumentException when the configuration asks for something not
     *     implemented yet, or a route names a missing pool or cannot be compiled
     */
    public static L7Snapshot build(FulcrumConfig config, EventLoops loops, MeterRegistry registry,
                                   PassiveHealth health) {
        return build(config, Pools.build(config.pools()), loops, registry, health);
    }

    /**
     * Builds on runtime pools made elsewhere, so L4, L7, health checks and passive detection
     * all see the same servers.
     *
     * @param pools by name; must hold every pool of the configuration
     */
    public static L7Snapshot build(FulcrumConfig config, Map<String, Pool> pools, EventLoops loops,
                                   MeterRegistry registry, PassiveHealth health) {
        return build(config, pools, loops, registry, health, Map.of());
    }

    /** @param upstreamTls by pool name: how to speak TLS to the servers of pools with {@code tls:} */
    public static L7Snapshot build(FulcrumConfig config, Map<String, Pool> pools, EventLoops loops,
                                   MeterRegistry registry, PassiveHealth health,
                                   Map<String, UpstreamTlsDialer> upstreamTls) {
        return build(config, pools, loops, registry, health, upstreamTls, null);
    }

    /**
     * Builds the snapshot that replaces {@code previous}.
     *
     * @param previous the snapshot serving now, not closed yet; null at start
     */
    public static L7Snapshot build(FulcrumConfig config, Map<String, Pool> pools, EventLoops loops,
                                   MeterRegistry registry, PassiveHealth health,
                                   Map<String, UpstreamTlsDialer> upstreamTls, L7Snapshot previous) {
        MeterScope meters = MeterScope.open(registry);
        AccessLogs accessLogs = null;
        try {
            Map<String, PoolStickiness> stickiness = new LinkedHashMap<>();
            config.pools().forEach((name, poolConfig) -> poolConfig.sticky().ifPresent(sticky ->
                    stickiness.put(name, PoolStickiness.create(pools.get(name), sticky, meters))));
            accessLogs = AccessLogs.open(config.listeners(), meters, previous == null ? null : previous.accessLogs);
            Map<String, HttpRoutes> listeners = new LinkedHashMap<>();
            for (ListenerConfig listener : config.listeners()) {
                if (listener.protocol().isHttp()) {
                    listeners.put(listener.name(), new HttpRoutes(listener, pools, config.pools(), meters,
                            accessLogs.forListener(listener.name()), stickiness, upstreamTls,
                            previous == null ? null : previous.listener(listener.name())));
                }
            }
            return new L7Snapshot(config, pools, Collections.unmodifiableMap(listeners),
                    new UpstreamPools(loops), health, accessLogs, meters);
        } catch (RuntimeException e) {
            if (accessLogs != null) {
                accessLogs.close();
            }
            meters.close();
            throw e;
        }
    }

    public FulcrumConfig config() {
        return config;
    }

    public Map<String, Pool> pools() {
        return pools;
    }

    /** The routes of an http/https listener, or null when this snapshot has no such listener. */
    public HttpRoutes listener(String name) {
        return listeners.get(name);
    }

    public Map<String, HttpRoutes> listeners() {
        return listeners;
    }

    PassiveHealth health() {
        return health;
    }

    /** The per-loop connection pools of every loop, to free idle connections for queued requests. */
    UpstreamPools allUpstreams() {
        return upstreams;
    }

    UpstreamPool upstreams(EventLoop loop) {
        return upstreams.forLoop(loop);
    }

    /**
     * Closes the idle backend connections of this snapshot; connections still serving a
     * request close when their exchange ends. Gives back its access log writers (files the
     * next snapshot writes stay open) and removes the meters no later snapshot uses. Call once
     * the snapshot has been replaced.
     */
    @Override
    public void close() {
        upstreams.close();
        accessLogs.close();
        meters.close();
    }
}
