package dev.fulcrum.lbcore.pool;

import dev.fulcrum.config.Balance;
import java.util.List;

/** Builds the balancer a pool's configuration asks for. */
public final class Balancers {

    private Balancers() {
    }

    /**
     * @throws IllegalArgumentException for strategies not implemented yet, so a configuration
     *     asking for one fails loudly at build time instead of silently balancing differently
     */
    public static Balancer create(Balance balance, List<Server> servers) {
        if (balance == Balance.ROUND_ROBIN) {
            return new RoundRobinBalancer(servers);
        }
        throw new IllegalArgumentException("balance " + balance.key() + " is not implemented yet");
    }
}
