package dev.fulcrum.l4;

import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.lbcore.TrustedPeers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Where one tcp listener sends its connections and how it relays them, resolved once per snapshot.
 *
 * @param routes chosen by TLS server name, first match wins; empty: every connection goes to {@code pool}
 * @param pool where connections go when no route applies; null when only routes serve
 * @param idleTimeout a connection with no byte either way for this long is closed
 * @param splice relay with splice(2) where both sockets allow it
 * @param proxySenders peers whose connections start with a PROXY protocol header
 */
record TcpTarget(String listener, List<SniRoute> routes, TcpPool pool, Duration idleTimeout,
                 ProxyProtocol proxyProtocol, boolean splice, TrustedPeers proxySenders, ListenerMeters meters) {

    TcpTarget {
        routes = List.copyOf(routes);
    }

    boolean routesByServerName() {
        return !routes.isEmpty();
    }

    /** The pool for that TLS server name (null: none sent), or null when nothing applies. */
    TcpPool route(String serverName) {
        for (SniRoute route : routes) {
            if (route.matches(serverName)) {
                return route.pool();
            }
        }
        return pool;
    }

    boolean expectsProxyHeader(InetSocketAddress peer) {
        return proxySenders.contains(peer);
    }
}
