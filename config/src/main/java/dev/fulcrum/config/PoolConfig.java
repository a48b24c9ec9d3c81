package dev.fulcrum.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of servers and how to choose among them.
 *
 * @param upstream connect timeout and keep-alive pooling of connections to the servers
 * @param hashOn what {@link Balance#CONSISTENT_HASH} hashes; {@link HashOn#SOURCE} for every other balance
 * @param failure slow start, panic and passive ejection
 */
public record PoolConfig(
        String name,
        Balance balance,
        Optional<StickyConfig> sticky,
        Optional<HealthCheckConfig> healthCheck,
        List<ServerConfig> servers,
        Location location,
        UpstreamConfig upstream,
        HashOn hashOn,
        FailurePolicy failure) {

    public PoolConfig {
        servers = List.copyOf(servers);
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(hashOn, "hashOn");
        Objects.requireNonNull(failure, "failure");
    }

    public PoolConfig(String name, Balance balance, Optional<StickyConfig> sticky,
                      Optional<HealthCheckConfig> healthCheck, List<ServerConfig> servers, Location location,
                      UpstreamConfig upstream, HashOn hashOn) {
        this(name, balance, sticky, healthCheck, servers, location, upstream, hashOn, FailurePolicy.DEFAULTS);
    }

    /** A pool with default upstream settings whose hash key, if its balance uses one, is the client address. */
    public PoolConfig(String name, Balance balance, Optional<StickyConfig> sticky,
                      Optional<HealthCheckConfig> healthCheck, List<ServerConfig> servers, Location location) {
        this(name, balance, sticky, healthCheck, servers, location, UpstreamConfig.DEFAULTS, HashOn.SOURCE);
    }

    public PoolConfig(String name, Balance balance, Optional<StickyConfig> sticky,
                      Optional<HealthCheckConfig> healthCheck, List<ServerConfig> servers, Location location,
                      UpstreamConfig upstream) {
        this(name, balance, sticky, healthCheck, servers, location, upstream, HashOn.SOURCE);
    }

    public PoolConfig(String name, Balance balance, Optional<StickyConfig> sticky,
                      Optional<HealthCheckConfig> healthCheck, List<ServerConfig> servers, Location location,
                      HashOn hashOn) {
        this(name, balance, sticky, healthCheck, servers, location, UpstreamConfig.DEFAULTS, hashOn);
    }
}
