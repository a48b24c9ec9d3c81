package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolsTest {

    private static PoolConfig pool(String name, Balance balance, ServerConfig... servers) {
        return new PoolConfig(name, balance, Optional.empty(), Optional.empty(), List.of(servers), Location.NONE,
                UpstreamConfig.DEFAULTS);
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
    void unimplementedBalanceIsLoud() {
        Map<String, PoolConfig> configs = Map.of("db", pool("db", Balance.LEAST_CONN, server("db-1", 5432)));
        assertThatThrownBy(() -> Pools.build(configs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("balance least_conn is not implemented yet");
    }

    @Test
    void ipv6LiteralIsParsedWithoutLookup() {
        ServerConfig v6 = new ServerConfig("v6", new Endpoint("::1", 8080), 100, 0, Location.NONE);
        Server server = Server.fromConfig("p", 0, v6);
        assertThat(server.address().isUnresolved()).isFalse();
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }
}
