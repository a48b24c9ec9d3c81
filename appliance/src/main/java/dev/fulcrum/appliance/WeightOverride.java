package dev.fulcrum.appliance;

import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server's weight set at run time: the running configuration with that one weight changed.
 * Applied as a reload, so every balancer (whose tables are built from weights) is rebuilt, with
 * the servers' state kept.
 */
final class WeightOverride {

    private WeightOverride() {
    }

    static FulcrumConfig apply(FulcrumConfig running, String pool, String server, int weight) {
        PoolConfig current = running.pools().get(pool);
        List<ServerConfig> servers = current.servers().stream()
                .map(s -> s.name().equals(server)
                        ? new ServerConfig(s.name(), s.address(), weight, s.maxConnections(), s.location()) : s)
                .toList();
        PoolConfig changed = new PoolConfig(current.name(), current.balance(), current.sticky(),
                current.healthCheck(), servers, current.location(), current.upstream(), current.hashOn(),
                current.failure());
        Map<String, PoolConfig> pools = new LinkedHashMap<>(running.pools());
        pools.put(pool, changed);
        return new FulcrumConfig(running.source(), running.workers(), running.admin(), running.certificates(),
                running.listeners(), pools, running.ha());
    }
}
