package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.config.HealthCheckType;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolsTest {

    private static PoolConfig pool(String name, Balance balance, ServerConfig... servers) {
        return new PoolConfig(name, balance, Optional.empty(), Optional.empty(), List.of(servers), Location.NONE,
                UpstreamConfig.DEFAULTS, HashOn.SOURCE);
    }

    private static ServerConfig server(String name, int port) {
        return new ServerConfig(name, new Endpoint("127.0.0.1", port), ServerConfig.DEFAULT_WEIGHT, 0, Location.NONE);
    }

    @Test
    void buildsPoolsInConfigurationOrder() {
        Map<String, PoolConfig> configs = new LinkedHashMap<>();
        configs.put("web", pool("web", Balance.ROUND_ROBIN, server("web-1", 9001), server("web-2", 9002)));
        configs.put("api", pool("api", Balance.ROUND_ROBIN, server("api-1", 9101)));

        Map<String, Pool> pools = Pools.build(configs);

        assertThat(pools.keySet()).containsExactly("web", "api");
        Pool web = pools.get("web");
        assertThat(web.servers()).extracting(Server::name).containsExactly("web-1", "web-2");
        assertThat(web.server("web-2").index()).isEqualTo(1);
        assertThat(web.server("web-2").address().getPort()).isEqualTo(9002);
        assertThat(web.server("web-2").address().isUnresolved()).isFalse();
        assertThat(web.balancer()).isInstanceOf(RoundRobinBalancer.class);
        assertThat(web.pick(null)).isNotNull();
    }

    @Test
    void everyBalanceHasItsBalancer() {
        Map<Balance, Class<?>> expected = Map.of(
                Balance.ROUND_ROBIN, RoundRobinBalancer.class,
                Balance.LEAST_CONN, LeastConnBalancer.class,
                Balance.RANDOM, WeightedRandomBalancer.class,
                Balance.SOURCE_HASH, ConsistentHashBalancer.class,
                Balance.CONSISTENT_HASH, ConsistentHashBalancer.class);
        assertThat(expected).containsOnlyKeys(Balance.values());
        expected.forEach((balance, type) -> {
            Pool pool = Pools.build("db", pool("db", balance, server("db-1", 5432), server("db-2", 5433)));
            assertThat(pool.balancer()).as("%s", balance).isInstanceOf(type);
            assertThat(pool.pick(BalancingContext.ofClient(new InetSocketAddress("10.0.0.1", 40000))))
                    .as("%s", balance).isNotNull();
        });
    }

    @Test
    void consistentHashUsesTheConfiguredKey() {
        PoolConfig config = new PoolConfig("users", Balance.CONSISTENT_HASH, Optional.empty(), Optional.empty(),
                List.of(server("u1", 9001), server("u2", 9002), server("u3", 9003)), Location.NONE,
                new HashOn.Header("x-user"));
        Pool pool = Pools.build("users", config);
        Server first = pool.pick(new TestContext(new InetSocketAddress("10.0.0.1", 1), Map.of("x-user", "alice"), Map.of()));
        for (int i = 2; i < 50; i++) {
            // Other clients, same user: the header decides.
            assertThat(pool.pick(new TestContext(new InetSocketAddress("10.0.0." + i, i), Map.of("x-user", "alice"),
                    Map.of()))).isSameAs(first);
        }
    }

    @Test
    void ipv6LiteralIsParsedWithoutLookup() {
        ServerConfig v6 = new ServerConfig("v6", new Endpoint("::1", 8080), 100, 0, Location.NONE);
        Server server = Server.fromConfig("p", 0, v6);
        assertThat(server.address().isUnresolved()).isFalse();
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void aRebuildKeepsTheStateOfServersThatKeepTheirNameOnly() {
        Map<String, PoolConfig> before = Map.of("web", pool("web", Balance.ROUND_ROBIN, server("web-1", 9001),
                server("web-2", 9002)));
        Map<String, Pool> old = Pools.build(before);
        old.get("web").server("web-1").setHealthy(false, "3 failed checks: connection refused");
        old.get("web").server("web-2").setAdminState(AdminState.DRAINING, "drained");

        Map<String, PoolConfig> after = Map.of("web", pool("web", Balance.LEAST_CONN, server("web-1", 9001),
                server("web-3", 9002)));
        Map<String, Pool> rebuilt = Pools.build(after, old);
        assertThat(rebuilt.get("web").server("web-1").isHealthy()).isFalse();
        assertThat(rebuilt.get("web").server("web-1").lastTransition().reason())
                .isEqualTo("3 failed checks: connection refused");
        assertThat(rebuilt.get("web").server("web-3").isInRotation()).as("a renamed server starts afresh").isTrue();
    }

    @Test
    void aServerOfAPoolCheckedWithInitialDownStartsDown() {
        PoolConfig config = new PoolConfig("web", Balance.ROUND_ROBIN, Optional.empty(),
                Optional.of(new HealthCheckConfig(HealthCheckType.TCP, "/", Duration.ofSeconds(2), Duration.ofSeconds(1),
                        2, 3, "GET", Optional.empty(), HealthCheckConfig.DEFAULT_EXPECT_STATUS, Optional.empty(),
                        Duration.ZERO, false, Optional.empty())),
                List.of(server("web-1", 9001)), Location.NONE);
        Server server = Pools.build(Map.of("web", config)).get("web").server("web-1");
        assertThat(server.isHealthy()).isFalse();
        assertThat(server.lastTransition().reason()).isEqualTo("initial: down until 2 checks pass");
    }
}
