package dev.fulcrum.bench;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.lbcore.pool.Balancer;
import dev.fulcrum.lbcore.pool.Balancers;
import dev.fulcrum.lbcore.pool.BalancingContext;
import dev.fulcrum.lbcore.pool.Server;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one pick of each balance strategy, shared by all event loops: {@code threads} event
 * loops picking at once, {@code down} servers of the pool ineligible. consistent_hash hashes a
 * header ({@code X-User}); source_hash the client address. Each thread cycles through 1024
 * prepared requests (distinct users and client addresses), so nothing is allocated per pick.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerBenchmark {

    @Param({"round_robin", "least_conn", "random", "source_hash", "consistent_hash"})
    public String strategy;

    @Param({"10"})
    public int servers;

    /** How many of the servers are ineligible. */
    @Param({"0", "5"})
    public int down;

    private Balancer balancer;

    /** One thread's prepared requests and its position among them. */
    @State(Scope.Thread)
    public static class Requests {
        private static final int COUNT = 1024;
        private final BalancingContext[] contexts = new BalancingContext[COUNT];
        private int next;

        @Setup
        public void setUp() {
            for (int i = 0; i < COUNT; i++) {
                contexts[i] = new Request(new InetSocketAddress("10.0." + (i >>> 8) + "." + (i & 0xff), 40000 + i),
                        "user-" + i);
            }
        }

        BalancingContext next() {
            return contexts[next++ & (COUNT - 1)];
        }
    }

    /** A request with a client address and an X-User header. */
    record Request(SocketAddress client, String user) implements BalancingContext {
        @Override
        public String header(String name) {
            return name.equals("x-user") ? user : null;
        }
    }

    @Setup
    public void setUp() {
        List<Server> list = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            Server server = new Server("bench", "s" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i),
                    100 + 50 * (i % 3), 0);
            server.setHealthy(i >= down);
            list.add(server);
        }
        Balance balance = Balance.valueOf(strategy.toUpperCase(Locale.ROOT));
        balancer = Balancers.create(balance, new HashOn.Header("x-user"), list);
    }

    @Benchmark
    @Threads(1)
    public Server pickOneThread(Requests requests) {
        return balancer.pick(requests.next());
    }

    @Benchmark
    @Threads(2)
    public Server pickTwoThreads(Requests requests) {
        return balancer.pick(requests.next());
    }
}
