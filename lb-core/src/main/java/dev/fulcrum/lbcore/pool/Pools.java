package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.PoolConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the runtime pools of a configuration snapshot. */
public final class Pools {

    private Pools() {
    }

    /**
     * Call off the event loops: server host names are resolved here.
     *
     * @param configs by pool name, as {@code FulcrumConfig.pools()} holds them
     * @return by pool name, in the same order, unmodifiable
     */
    public static Map<String, Pool> build(Map<String, PoolConfig> configs) {
        return build(configs, Map.of());
    }

    /**
     * @param previous the pools of the configuration being replaced: a server keeping its pool
     *     and name keeps its state (health, ejection, admin state)
     */
    public static Map<String, Pool> build(Map<String, PoolConfig> configs, Map<String, Pool> previous) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        configs.forEach((name, config) -> pools.put(name, build(name, config, previous.get(name))));
        return Collections.unmodifiableMap(pools);
    }

    public static Pool build(String name, PoolConfig config) {
        return build(name, config, null);
    }

    private static Pool build(String name, PoolConfig config, Pool previous) {
        List<Server> servers = new ArrayList<>(config.servers().size());
        for (int i = 0; i < config.servers().size(); i++) {
            Server server = Server.fromConfig(name, i, config.servers().get(i));
            Server before = previous == null ? null : previous.server(server.name());
            if (before != null) {
                server.inheritState(before);
            } else {
                config.healthCheck().filter(check -> !check.initialUp()).ifPresent(check -> server.setHealthy(false,
                        "initial: down until " + check.rise() + " checks pass"));
            }
            servers.add(server);
        }
        return new Pool(name, servers, Balancers.create(config.balance(), config.hashOn(), servers),
                config.upstream().maxPending(), config.upstream().queueTimeout(), config.failure());
    }
}
