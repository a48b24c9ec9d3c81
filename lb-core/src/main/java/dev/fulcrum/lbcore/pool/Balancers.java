package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.HashOn;
import java.util.List;

/** Builds the balancer a pool's configuration asks for. */
public final class Balancers {

    private Balancers() {
    }

    /** A balancer whose hash key, if it uses one, is the client address. */
    public static Balancer create(Balance balance, List<Server> servers) {
        return create(balance, HashOn.SOURCE, servers);
    }

    /**
     * Call off the event loops: consistent-hash tables are built here.
     *
     * <p>{@code source_hash} is consistent hashing on the client address, as HAProxy's
     * {@code balance source} with {@code hash-type consistent}: a server leaving moves only its
     * own clients, where a modulo hash would move nearly all of them.
     *
     * @param hashOn the key of {@code consistent_hash}; ignored by the other strategies
     */
    public static Balancer create(Balance balance, HashOn hashOn, List<Server> servers) {
        return switch (balance) {
            case ROUND_ROBIN -> new RoundRobinBalancer(servers);
            case LEAST_CONN -> new LeastConnBalancer(servers);
            case RANDOM -> new WeightedRandomBalancer(servers);
            case SOURCE_HASH -> new ConsistentHashBalancer(servers, HashOn.SOURCE);
            case CONSISTENT_HASH -> new ConsistentHashBalancer(servers, hashOn);
        };
    }
}
