package dev.fulcrum.l7;

import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.l7.sticky.StickyChoice;

/**
 * The peer selection phase: the sticky pin first, then the pool's balancer (on the request
 * as the client sent it), avoiding the server a retry comes from.
 */
final class PeerSelector {

    private PeerSelector() {
    }

    /** A server with room for a new request, or null when none has. */
    static Server select(Pool pool, BalancingContext received, StickyChoice sticky, Server avoid) {
        Server pinned = sticky == null ? null : sticky.server();
        if (pinned != null && avoid == null && pinned.acceptsSticky()) {
            return pinned;
        }
        return RetryRules.pickAvoiding(pool, received, avoid);
    }

    /**
     * Every server is at its connection cap; one already connected from this event loop may
     * still take the request over an idle connection. The pinned server comes first, then the
     * server in rotation with the fewest requests in flight; never {@code avoid}.
     */
    static UpstreamConnection idleOfFullServer(Pool pool, UpstreamPool upstreams, StickyChoice sticky, Server avoid) {
        Server pinned = sticky == null ? null : sticky.server();
        if (pinned != null && pinned != avoid && pinned.isInRotation()) {
            UpstreamConnection idle = upstreams.pollIdle(pinned);
            if (idle != null) {
                return idle;
            }
        }
        Server best = null;
        for (Server candidate : pool.servers()) {
            if (candidate != avoid && candidate.isInRotation()
                    && (upstreams.idleCount(candidate) > 0 || upstreams.hasStreamRoom(candidate))
                    && (best == null || candidate.requestsInFlight() < best.requestsInFlight())) {
                best = candidate;
            }
        }
        return best == null ? null : upstreams.pollIdle(best);
    }
}
