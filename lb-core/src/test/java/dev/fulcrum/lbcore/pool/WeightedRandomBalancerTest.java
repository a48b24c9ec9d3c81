package dev.fulcrum.lbcore.pool;

import static dev.fulcrum.lbcore.pool.TestServers.capped;
import static dev.fulcrum.lbcore.pool.TestServers.picks;
import static dev.fulcrum.lbcore.pool.TestServers.seeded;
import static dev.fulcrum.lbcore.pool.TestServers.servers;
import static dev.fulcrum.lbcore.pool.TestServers.share;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRandomBalancerTest {

    private static final int PICKS = 100_000;

    @Test
    void weightsThreeToOneGiveThreeQuarters() {
        Map<String, Integer> counts = picks(new WeightedRandomBalancer(servers(300, 100), seeded(1)), PICKS);
        assertThat(share(counts, "s0", PICKS)).isCloseTo(0.75, within(0.01));
        assertThat(share(counts, "s1", PICKS)).isCloseTo(0.25, within(0.01));
    }

    @Test
    void sharesFollowWeightsAcrossManyServers() {
        int[] weights = {1, 2, 3, 4, 10};
        Map<String, Integer> counts = picks(new WeightedRandomBalancer(servers(weights), seeded(2)), PICKS);
        for (int i = 0; i < weights.length; i++) {
            assertThat(share(counts, "s" + i, PICKS)).as("s%d", i).isCloseTo(weights[i] / 20.0, within(0.01));
        }
    }

    @Test
    void theAliasTableHoldsTheExactShares() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] weights = new int[1 + random.nextInt(40)];
            double total = 0;
            for (int i = 0; i < weights.length; i++) {
                weights[i] = 1 + random.nextInt(1000);
                total += weights[i];
            }
            double[] shares = new WeightedRandomBalancer(servers(weights), seeded(trial)).shares();
            for (int i = 0; i < weights.length; i++) {
                assertThat(shares[i]).isCloseTo(weights[i] / total, within(1e-9));
            }
        }
    }

    @Test
    void ineligibleServersAreSkippedAndTheOthersKeepTheirShares() {
        List<Server> servers = servers(500, 100, 200, 100);
        servers.get(0).setHealthy(false);
        servers.get(3).setEnabled(false);
        Map<String, Integer> counts = picks(new WeightedRandomBalancer(servers, seeded(3)), PICKS);
        assertThat(counts).containsOnlyKeys("s1", "s2");
        assertThat(share(counts, "s2", PICKS)).isCloseTo(2 / 3.0, within(0.01));
    }

    @Test
    void serversAtTheirCapAreSkipped() {
        List<Server> servers = List.of(capped("capped", 0, 1), capped("free", 1, 0));
        WeightedRandomBalancer balancer = new WeightedRandomBalancer(servers, seeded(4));
        assertThat(servers.get(0).tryAcquireConnection()).isTrue();
        assertThat(picks(balancer, 1000)).containsOnlyKeys("free");
        servers.get(0).releaseConnection();
        assertThat(picks(balancer, 1000)).containsOnlyKeys("capped", "free");
    }

    @Test
    void oneEligibleAmongManyIsFoundByTheExactPass() {
        int[] weights = new int[50];
        java.util.Arrays.fill(weights, 1000);
        weights[37] = 1;
        List<Server> servers = servers(weights);
        servers.forEach(s -> s.setHealthy(false));
        servers.get(37).setHealthy(true);
        assertThat(picks(new WeightedRandomBalancer(servers, seeded(5)), 1000)).containsOnlyKeys("s37");
    }

    @Test
    void nullOnlyWhenNoneIsEligible() {
        List<Server> servers = servers(100, 100);
        servers.forEach(s -> s.setEnabled(false));
        assertThat(new WeightedRandomBalancer(servers, seeded(6)).pick(null)).isNull();
        assertThat(new WeightedRandomBalancer(List.of(), seeded(6)).pick(null)).isNull();
        servers.get(1).setEnabled(true);
        assertThat(new WeightedRandomBalancer(servers, seeded(6)).pick(null)).isSameAs(servers.get(1));
    }

    @Test
    void concurrentPicks() throws Exception {
        List<Server> servers = new ArrayList<>(servers(100, 200, 300, 400));
        TestServers.concurrencySmoke(new WeightedRandomBalancer(servers), servers);
    }
}
