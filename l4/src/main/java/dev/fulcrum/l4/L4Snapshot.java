package dev.fulcrum.l4;

import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.TcpOptions;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.TrustedPeers;
import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The L4 runtime of one configuration snapshot: for every tcp listener, its pool and settings.
 * Immutable; a reload builds a new one and swaps the reference the listeners read, and closes
 * the old one when its grace is over: its meters of listeners and servers that the new one
 * does not have leave the registry.
 */
public final class L4Snapshot implements AutoCloseable {

    private final Map<String, TcpTarget> targets;
    private final Map<String, Pool> pools;
    private final PassiveHealth passiveHealth;
    private final MeterScope meters;

    private L4Snapshot(Map<String, TcpTarget> targets, Map<String, Pool> pools, PassiveHealth passiveHealth,
                       MeterScope meters) {
        this.targets = targets;
        this.pools = pools;
        this.passiveHealth = passiveHealth;
        this.meters = meters;
    }

    /**
     * Builds the pools of the tcp listeners. Call off the event loops: server names are resolved.
     *
     * @param loops accepted for symmetry with the L7 snapshot; connections use the transport of
     *     the loop that accepted them
     */
    public static L4Snapshot build(FulcrumConfig config, EventLoops loops, MeterRegistry registry,
                                   PassiveHealth passiveHealth) {
        Map<String, PoolConfig> used = new LinkedHashMap<>();
        for (ListenerConfig listener : config.listeners()) {
            if (listener.protocol() == Protocol.TCP || listener.protocol() == Protocol.TLS) {
                listener.pool().ifPresent(name -> config.pool(name).ifPresent(pool -> used.put(name, pool)));
                for (RouteConfig route : listener.routes()) {
                    route.pool().ifPresent(name -> config.pool(name).ifPresent(pool -> used.put(name, pool)));
                }
            }
        }
        return build(config, Pools.build(used), registry, passiveHealth);
    }

    /**
     * Builds on runtime pools made elsewhere, so L4 and L7 share the same servers (connection
     * counts, health) when both use a pool.
     *
     * @param pools by name; must hold every pool a tcp listener names
     */
    public static L4Snapshot build(FulcrumConfig config, Map<String, Pool> pools, MeterRegistry registry,
                                   PassiveHealth passiveHealth) {
        return build(config, pools, registry, passiveHealth, Map.of());
    }

    /** @param upstreamTls by pool name: how to speak TLS to the servers of pools with {@code tls:} */
    public static L4Snapshot build(FulcrumConfig config, Map<String, Pool> pools, MeterRegistry registry,
                                   PassiveHealth passiveHealth, Map<String, UpstreamTlsDialer> upstreamTls) {
        Map<String, TcpTarget> targets = new LinkedHashMap<>();
        MeterScope meters = MeterScope.open(registry);
        try {
            for (ListenerConfig listener : config.listeners()) {
                if (listener.protocol() == Protocol.TCP || listener.protocol() == Protocol.TLS) {
                    targets.put(listener.name(), target(config, listener, pools, meters, upstreamTls));
                }
            }
        } catch (RuntimeException e) {
            meters.close();
            throw e;
        }
        return new L4Snapshot(Collections.unmodifiableMap(targets), pools, passiveHealth, meters);
    }

    private static TcpTarget target(FulcrumConfig config, ListenerConfig listener, Map<String, Pool> pools,
                                    MeterScope scope, Map<String, UpstreamTlsDialer> upstreamTls) {
        ListenerMeters meters = new ListenerMeters(scope, listener.name());
        Map<String, TcpPool> used = new LinkedHashMap<>();
        Function<String, TcpPool> tcpPool = name -> used.computeIfAbsent(name, n -> {
            Pool pool = pools.get(n);
            PoolConfig poolConfig = config.pool(n).orElse(null);
            if (pool == null || poolConfig == null) {
                throw new IllegalArgumentException("listener " + listener.name() + ": no pool " + n);
            }
            return new TcpPool(pool, poolConfig.upstream().connectTimeout(), meters.servers(pool), upstreamTls.get(n));
        });
        List<SniRoute> routes = new ArrayList<>();
        for (RouteConfig route : listener.routes()) {
            // The loader allows only pool targets and sni matches on tcp listeners.
            routes.add(new SniRoute(route.name(), route.match().sni(), tcpPool.apply(route.pool().orElseThrow())));
        }
        TcpPool fallback = listener.pool().map(tcpPool).orElse(null);
        TcpOptions tcp = listener.tcp();
        return new TcpTarget(listener.name(), routes, fallback, tcp.idleTimeout(), listener.proxyProtocol(),
                tcp.splice(), new TrustedPeers(tcp.acceptProxyFrom()), meters);
    }

    /** The runtime pools of this snapshot, by name. */
    public Map<String, Pool> pools() {
        return pools;
    }

    public PassiveHealth passiveHealth() {
        return passiveHealth;
    }

    /** True when this snapshot can serve that listener. */
    public boolean serves(String listener) {
        return targets.containsKey(listener);
    }

    /** Connections open now on that listener (0 when unknown). */
    public long activeConnections(String listener) {
        TcpTarget target = targets.get(listener);
        return target == null ? 0 : target.meters().active();
    }

    TcpTarget target(String listener) {
        return targets.get(listener);
    }

    /**
     * Removes the meters no later snapshot uses (those of removed listeners and servers).
     * Connections still relayed on this snapshot carry on; what they count from now on is
     * not published. Call once the snapshot has been replaced and its grace is over.
     */
    @Override
    public void close() {
        meters.close();
    }
}
