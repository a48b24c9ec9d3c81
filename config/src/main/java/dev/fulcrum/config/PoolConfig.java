package dev.fulcrum.config;

import java.util.List;
import java.util.Optional;

/** A named set of servers and how to choose among them. */
public record PoolConfig(
        String name,
        Balance balance,
        Optional<StickyConfig> sticky,
        Optional<HealthCheckConfig> healthCheck,
        List<ServerConfig> servers,
        Location location) {

    public PoolConfig {
        servers = List.copyOf(servers);
    }
}
