package dev.fulcrum.config;

import java.util.List;
import java.util.Optional;

/**
 * A socket the appliance accepts on.
 *
 * @param routes http/https: ordered rules; tcp/tls: optional rules matching only on sni
 * @param pool tcp/tls: the pool every connection goes to when no route applies
 * @param certificates https/tls: names of entries in the top-level certificates list
 * @param edge http/https: client timeouts and request limits (defaults elsewhere)
 * @param forwarding http/https: the forwarding headers sent to backends
 * @param accessLog http/https: one line per request, when configured
 * @param maxConnections open client connections allowed at once; more are refused. 0: no cap
 * @param tcp tcp/tls: how connections are relayed
 * @param tls https/tls: protocols, ciphers, client certificates, ticket keys
 */
public record ListenerConfig(
        String name,
        Endpoint bind,
        Protocol protocol,
        List<RouteConfig> routes,
        Optional<String> pool,
        List<String> certificates,
        ProxyProtocol proxyProtocol,
        Location location,
        HttpEdgeConfig edge,
        ForwardingConfig forwarding,
        Optional<AccessLogConfig> accessLog,
        int maxConnections,
        TcpOptions tcp,
        ListenerTls tls) {

    public ListenerConfig {
        routes = List.copyOf(routes);
        certificates = List.copyOf(certificates);
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max connections must not be negative");
        }
    }

    /** A listener without a connection cap and with the default relay settings. */
    public ListenerConfig(String name, Endpoint bind, Protocol protocol, List<RouteConfig> routes, Optional<String> pool,
                          List<String> certificates, ProxyProtocol proxyProtocol, Location location, HttpEdgeConfig edge,
                          ForwardingConfig forwarding, Optional<AccessLogConfig> accessLog) {
        this(name, bind, protocol, routes, pool, certificates, proxyProtocol, location, edge, forwarding, accessLog, 0,
                TcpOptions.DEFAULTS, ListenerTls.DEFAULTS);
    }
}
