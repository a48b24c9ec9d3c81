package dev.fulcrum.l7.sticky;

import dev.fulcrum.lbcore.pool.Server;

/**
 * What a request's sticky cookie decided.
 *
 * @param server the pinned server to use, or null: the balancer chooses
 * @param result hit (pinned and eligible), miss (no cookie), repin (pinned to a server that
 *     cannot take it now), invalid (forged, tampered with or expired: treated as no cookie)
 * @param refresh a hit whose pin should be issued again (half its time to live is gone)
 */
public record StickyChoice(Server server, Result result, boolean refresh) {

    /** The outcomes counted in {@code fulcrum_sticky_total{result}}. */
    public enum Result { HIT, MISS, REPIN, INVALID }

    /** True when the response must (re)pin the client to the server that answered it. */
    public boolean pinsAgain(Server answered) {
        return result != Result.HIT || refresh || answered != server;
    }
}
