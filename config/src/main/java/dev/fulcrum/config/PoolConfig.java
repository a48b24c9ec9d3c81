package dev.fulcrum.config;

import java.util.List;
import java.util.Optional;

/**
 * A named set of servers and how to choose among them.
 *
 * @param upstream connect timeout and keep-alive pooling of connections to the servers
 */
public record PoolConfig(
        String name,
        Balance balance,
        Optional<StickyConfig> sticky,
        Optional<HealthCheckConfig> healthCheck,
        List<ServerConfig> servers,
        Location location,
        UpstreamConfig upstream) {

    public PoolConfig {
        servers = List.copyOf(servers);
    }
}
