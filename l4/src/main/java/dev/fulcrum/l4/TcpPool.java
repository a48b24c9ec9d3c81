package dev.fulcrum.l4;

import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import java.time.Duration;

/**
 * A pool as one tcp listener uses it: its connect timeout and the listener's meters of each server.
 *
 * @param servers indexed by {@link Server#index()}
 * @param tls TLS to the servers, or null: plain
 */
record TcpPool(Pool pool, Duration connectTimeout, ListenerMeters.ServerMeters[] servers, UpstreamTlsDialer tls) {

    ListenerMeters.ServerMeters meters(Server server) {
        return servers[server.index()];
    }
}
