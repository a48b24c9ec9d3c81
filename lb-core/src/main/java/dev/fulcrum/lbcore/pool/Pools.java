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
        Map<String, Pool> pools = new LinkedHashMap<>();
        configs.forEach((name, config) -> pools.put(name, build(name, config)));
        return Collections.unmodifiableMap(pools);
    }

    public static Pool build(String name, PoolConfig config) {
        List<Server> servers = new ArrayList<>(config.servers().size());
        for (int i = 0; i < config.servers().size(); i++) {
            servers.add(Server.fromConfig(name, i, config.servers().get(i)));
        }
        return new Pool(name, servers, Balancers.create(config.balance(), config.hashOn(), servers),
                config.upstream().maxPending(), config.upstream().queueTimeout());
    }
}
