package dev.fulcrum.l7;

import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.handler.codec.http.HttpMethod;

/** What may be tried again after a backend failed, and where. */
final class RetryRules {

    private RetryRules() {
    }

    /** RFC 9110 9.2.2: sending these twice has the effect of sending them once. */
    static boolean isIdempotent(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)
                || method.equals(HttpMethod.TRACE) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE);
    }

    /**
     * A server of the pool other than {@code avoid} (the one that just failed): the balancer's
     * choice when it gives another within as many picks as the pool has servers, else the next
     * eligible server after it. Balancers that spread load move on by themselves; least_conn
     * (which prefers the server a failed connect left idle) and hashing keep their pick. Only
     * with no other eligible server is it {@code avoid} again.
     */
    static Server pickAvoiding(Pool pool, BalancingContext context, Server avoid) {
        Server picked = pool.pick(context);
        for (int i = 1; picked == avoid && avoid != null && i < pool.servers().size(); i++) {
            picked = pool.pick(context);
        }
        if (picked != avoid || avoid == null) {
            return picked;
        }
        java.util.List<Server> servers = pool.servers();
        for (int i = 1; i < servers.size(); i++) {
            Server candidate = servers.get((avoid.index() + i) % servers.size());
            if (candidate.isEligible()) {
                return candidate;
            }
        }
        return avoid;
    }
}
