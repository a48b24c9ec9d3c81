package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {

    private static List<Server> servers(int... weights) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(new Server("p", "s" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i), weights[i], 0));
        }
        return servers;
    }

    private static Map<String, Integer> picks(Balancer balancer, int times) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < times; i++) {
            Server server = balancer.pick(null);
            counts.merge(server == null ? "null" : server.name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void equalWeightsAlternate() {
        List<Server> servers = servers(100, 100);
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(balancer.pick(null).name());
        }
        assertThat(order).containsExactly("s0", "s1", "s0", "s1", "s0", "s1");
    }

    @Test
    void weightsGiveProportionalShares() {
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers(300, 100, 100));
        assertThat(picks(balancer, 500)).containsEntry("s0", 300).containsEntry("s1", 100).containsEntry("s2", 100);
    }

    @Test
    void scheduleIsSmoothLikeNginx() {
        List<Server> servers = servers(5, 1, 1);
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers);
        assertThat(balancer.schedule()).extracting(Server::name)
                .containsExactly("s0", "s0", "s1", "s0", "s2", "s0", "s0");
    }

    @Test
    void hugeScheduleIsScaledDown() {
        int[] weights = new int[200];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 1000 - i; // coprime-ish: no common divisor to reduce by
        }
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers(weights));
        assertThat(balancer.schedule()).hasSizeLessThanOrEqualTo(RoundRobinBalancer.MAX_SCHEDULE + weights.length);
        assertThat(balancer.schedule()).extracting(Server::name).contains("s0", "s199");
    }

    @Test
    void neverReturnsAnIneligibleServer() {
        List<Server> servers = servers(100, 100, 100);
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers);
        servers.get(1).setHealthy(false);
        servers.get(2).setEnabled(false);
        assertThat(picks(balancer, 100)).containsOnlyKeys("s0");
    }

    @Test
    void skipsServersAtTheirConnectionCap() {
        List<Server> servers = List.of(
                new Server("p", "capped", 0, new InetSocketAddress("127.0.0.1", 1), 100, 1),
                new Server("p", "free", 1, new InetSocketAddress("127.0.0.1", 2), 100, 0));
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers);
        assertThat(servers.get(0).tryAcquireConnection()).isTrue();
        assertThat(servers.get(0).tryAcquireConnection()).isFalse();
        assertThat(picks(balancer, 10)).containsOnlyKeys("free");
        servers.get(0).releaseConnection();
        assertThat(picks(balancer, 10)).containsOnlyKeys("capped", "free");
    }

    @Test
    void nullWhenNoneIsEligibleOrPoolIsEmpty() {
        List<Server> servers = servers(1, 7);
        servers.forEach(s -> s.setHealthy(false));
        assertThat(new RoundRobinBalancer(servers).pick(null)).isNull();
        assertThat(new RoundRobinBalancer(List.of()).pick(null)).isNull();
    }

    @Test
    void aWeightedServerGoingDownLeavesOthersServed() {
        List<Server> servers = servers(1000, 1);
        servers.get(0).setEnabled(false);
        assertThat(picks(new RoundRobinBalancer(servers), 50)).containsOnlyKeys("s1");
    }

    @Test
    void concurrentPicksStayFair() throws Exception {
        RoundRobinBalancer balancer = new RoundRobinBalancer(servers(100, 100, 100, 100));
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        try {
            for (int t = 0; t < 4; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        counts.computeIfAbsent(balancer.pick(null).name(), k -> new AtomicInteger()).incrementAndGet();
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(counts).hasSize(4);
        counts.values().forEach(c -> assertThat(c.get()).isEqualTo(10_000));
    }
}
