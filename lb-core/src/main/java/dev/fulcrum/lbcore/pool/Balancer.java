package dev.fulcrum.lbcore.pool;

/**
 * Chooses a server of one pool. Implementations are shared by every event loop: lock-free,
 * allocation-free per pick, and they only ever return an eligible server
 * ({@link Server#isEligible()}: enabled, healthy and under its connection cap).
 */
public interface Balancer {

    /**
     * @param context the client and, for HTTP, the request; strategies that do not hash
     *     ignore it, and null is then allowed
     * @return an eligible server, or null when none is eligible
     */
    Server pick(BalancingContext context);
}
