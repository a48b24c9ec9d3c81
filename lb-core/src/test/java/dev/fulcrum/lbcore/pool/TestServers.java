package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/** Servers, seeded randomness and pick counting for balancer tests. */
final class TestServers {

    private TestServers() {
    }

    /** Servers s0, s1, ... of pool p with these weights and no connection cap. */
    static List<Server> servers(int... weights) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(new Server("p", "s" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i), weights[i], 0));
        }
        return servers;
    }

    static Server capped(String name, int index, int maxConnections) {
        return new Server("p", name, index, new InetSocketAddress("127.0.0.1", 9000 + index), 100, maxConnections);
    }

    /** A reproducible random source (single-threaded use). */
    static RandomSource seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return random::nextInt;
    }

    /** How often each server (by name; "null" for none) was picked. */
    static Map<String, Integer> picks(Balancer balancer, int times, IntFunction<BalancingContext> context) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < times; i++) {
            Server server = balancer.pick(context.apply(i));
            counts.merge(server == null ? "null" : server.name(), 1, Integer::sum);
        }
        return counts;
    }

    static Map<String, Integer> picks(Balancer balancer, int times) {
        return picks(balancer, times, i -> null);
    }

    static double share(Map<String, Integer> counts, String name, int total) {
        return counts.getOrDefault(name, 0) / (double) total;
    }

    /**
     * Several threads pick at once, each holding a connection to what it picked for a moment:
     * no exception, no null while servers are eligible, and every pick accounted for.
     */
    static void concurrencySmoke(Balancer balancer, List<Server> servers) throws Exception {
        int threads = 4;
        int picksPerThread = 20_000;
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.execute(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < picksPerThread; i++) {
                            BalancingContext context = TestContext.client("10.1." + thread + "." + (i % 250), i);
                            Server server = balancer.pick(context);
                            assertThat(server).isNotNull();
                            if (server.tryAcquireConnection()) {
                                server.releaseConnection();
                            }
                            counts.computeIfAbsent(server.name(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            start.countDown();
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(failure.get()).isNull();
        assertThat(counts.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(threads * picksPerThread);
        assertThat(servers).allSatisfy(s -> assertThat(s.activeConnections()).isZero());
    }
}
