package dev.fulcrum.lbcore.pool;

import static dev.fulcrum.lbcore.pool.TestServers.capped;
import static dev.fulcrum.lbcore.pool.TestServers.picks;
import static dev.fulcrum.lbcore.pool.TestServers.seeded;
import static dev.fulcrum.lbcore.pool.TestServers.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastConnBalancerTest {

    /** Requests in flight, each on a connection of its own (as a tcp listener relays them). */
    private static void open(Server server, int connections) {
        for (int i = 0; i < connections; i++) {
            assertThat(server.tryAcquireConnection()).isTrue();
            server.beginRequest();
        }
    }

    @Test
    void requestsInFlightDecideNotOpenConnections() {
        List<Server> servers = servers(100, 100);
        // s0 keeps ten idle pooled connections and answers one request; s1 has three requests on three connections.
        for (int i = 0; i < 10; i++) {
            assertThat(servers.get(0).tryAcquireConnection()).isTrue();
        }
        servers.get(0).beginRequest();
        open(servers.get(1), 3);
        assertThat(servers.get(0).activeConnections()).isGreaterThan(servers.get(1).activeConnections());
        assertThat(picks(new LeastConnBalancer(servers, seeded(11)), 100)).containsOnlyKeys("s0");
        // s0 idle with its ten connections, s1 with two requests in flight: s0 still.
        servers.get(0).endRequest();
        servers.get(1).endRequest();
        assertThat(picks(new LeastConnBalancer(servers, seeded(12)), 100)).containsOnlyKeys("s0");
        // s0 with five requests in flight to s1's two loses, though s1 has fewer connections open.
        for (int i = 0; i < 5; i++) {
            servers.get(0).beginRequest();
        }
        assertThat(picks(new LeastConnBalancer(servers, seeded(13)), 100)).containsOnlyKeys("s1");
    }

    @Test
    void ofTwoServersTheLessLoadedWins() {
        List<Server> servers = servers(100, 100);
        open(servers.get(0), 5);
        open(servers.get(1), 2);
        assertThat(picks(new LeastConnBalancer(servers, seeded(1)), 100)).containsOnlyKeys("s1");
    }

    @Test
    void loadIsConnectionsPerWeight() {
        List<Server> servers = servers(300, 100);
        // (4+1)/300 < (1+1)/100: the heavy server is less loaded for its weight.
        open(servers.get(0), 4);
        open(servers.get(1), 1);
        assertThat(picks(new LeastConnBalancer(servers, seeded(2)), 100)).containsOnlyKeys("s0");
        // (6+1)/300 > (1+1)/100: now it is not.
        open(servers.get(0), 2);
        assertThat(picks(new LeastConnBalancer(servers, seeded(2)), 100)).containsOnlyKeys("s1");
        // Idle servers: the +1 for the coming connection makes weight decide.
        List<Server> idle = servers(300, 100);
        assertThat(picks(new LeastConnBalancer(idle, seeded(3)), 100)).containsOnlyKeys("s0");
    }

    @Test
    void heldConnectionsSettleInProportionToWeights() {
        List<Server> servers = servers(300, 100, 100, 100);
        LeastConnBalancer balancer = new LeastConnBalancer(servers, seeded(4));
        SplittableRandom churn = new SplittableRandom(5);
        List<Server> open = new ArrayList<>();
        // A steady state around 600 connections: each step opens one, and closes a random one once full.
        for (int step = 0; step < 50_000; step++) {
            Server picked = balancer.pick(null);
            picked.beginRequest();
            open.add(picked);
            if (open.size() > 600) {
                open.remove(churn.nextInt(open.size())).endRequest();
            }
        }
        double total = open.size();
        assertThat(servers.get(0).requestsInFlight() / total).isCloseTo(0.5, within(0.03));
        for (int i = 1; i < 4; i++) {
            assertThat(servers.get(i).requestsInFlight() / total).as("s%d", i).isCloseTo(1 / 6.0, within(0.03));
        }
    }

    @Test
    void bothDrawsAreRandomAmongEligibleServers() {
        // Equal load and weights: the first draw wins ties, so picks spread evenly.
        List<Server> servers = servers(100, 100, 100, 100);
        servers.get(2).setHealthy(false);
        var counts = picks(new LeastConnBalancer(servers, seeded(6)), 30_000);
        assertThat(counts).containsOnlyKeys("s0", "s1", "s3");
        counts.values().forEach(c -> assertThat(c / 30_000.0).isCloseTo(1 / 3.0, within(0.02)));
    }

    @Test
    void oneEligibleServerIsReturned() {
        List<Server> servers = servers(100, 100, 100);
        servers.get(0).setEnabled(false);
        servers.get(2).setHealthy(false);
        open(servers.get(1), 50);
        assertThat(picks(new LeastConnBalancer(servers, seeded(7)), 100)).containsOnlyKeys("s1");
        assertThat(new LeastConnBalancer(List.of(servers.get(1)), seeded(7)).pick(null)).isSameAs(servers.get(1));
    }

    @Test
    void serversAtTheirCapAreSkippedEvenWhenLeastLoaded() {
        List<Server> servers = List.of(capped("capped", 0, 1), capped("free", 1, 0));
        open(servers.get(1), 10);
        open(servers.get(0), 1);
        assertThat(picks(new LeastConnBalancer(servers, seeded(8)), 100)).containsOnlyKeys("free");
    }

    @Test
    void theExactPassFindsTheLastEligibleServers() {
        int[] weights = new int[64];
        java.util.Arrays.fill(weights, 100);
        List<Server> servers = servers(weights);
        servers.forEach(s -> s.setHealthy(false));
        servers.get(10).setHealthy(true);
        servers.get(50).setHealthy(true);
        open(servers.get(10), 3);
        assertThat(picks(new LeastConnBalancer(servers, seeded(9)), 500)).containsOnlyKeys("s50");
    }

    @Test
    void nullOnlyWhenNoneIsEligible() {
        List<Server> servers = servers(100, 100);
        servers.forEach(s -> s.setHealthy(false));
        assertThat(new LeastConnBalancer(servers, seeded(10)).pick(null)).isNull();
        assertThat(new LeastConnBalancer(List.of(), seeded(10)).pick(null)).isNull();
    }

    @Test
    void concurrentPicks() throws Exception {
        List<Server> servers = servers(100, 200, 300, 400, 100);
        TestServers.concurrencySmoke(new LeastConnBalancer(servers), servers);
    }
}
