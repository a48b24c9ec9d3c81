package dev.fulcrum.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.HashOn;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.ConsistentHashBalancer;
import dev.fulcrum.lbcore.pool.LeastConnBalancer;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryRulesTest {

    private static final BalancingContext CLIENT = BalancingContext.ofClient(new InetSocketAddress("10.0.0.7", 4000));

    private static List<Server> servers() {
        return List.of(new Server("app", "a", 0, new InetSocketAddress("127.0.0.1", 9001), 100, 0),
                new Server("app", "b", 1, new InetSocketAddress("127.0.0.1", 9002), 100, 0));
    }

    @Test
    void leastConnDoesNotPickTheServerAFailedConnectLeftIdleAgain() {
        List<Server> servers = servers();
        // b is busy, a is idle because its connects fail: least_conn keeps choosing a.
        servers.get(1).beginRequest();
        Pool pool = new Pool("app", servers, new LeastConnBalancer(servers));
        assertThat(pool.pick(CLIENT)).isSameAs(servers.get(0));
        assertThat(RetryRules.pickAvoiding(pool, CLIENT, servers.get(0))).isSameAs(servers.get(1));
    }

    @Test
    void aHashMovesToTheNextEligibleServerAndAloneStaysPut() {
        List<Server> servers = servers();
        Pool pool = new Pool("app", servers, new ConsistentHashBalancer(servers, HashOn.SOURCE));
        Server hashed = pool.pick(CLIENT);
        Server other = hashed == servers.get(0) ? servers.get(1) : servers.get(0);
        assertThat(RetryRules.pickAvoiding(pool, CLIENT, hashed)).isSameAs(other);

        other.setEnabled(false);
        assertThat(RetryRules.pickAvoiding(pool, CLIENT, hashed)).as("no other eligible server").isSameAs(hashed);
    }
}
