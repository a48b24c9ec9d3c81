package dev.fulcrum.bench;

import dev.fulcrum.lbcore.pool.RoundRobinBalancer;
import dev.fulcrum.lbcore.pool.Server;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
 * Cost of one round-robin pick, shared by all event loops through one atomic counter:
 * {@code threads} event loops picking at once, {@code down} servers of the pool ineligible.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerBenchmark {

    @Param({"10"})
    public int servers;

    /** How many of the servers are ineligible (their slots pass to the next one). */
    @Param({"0", "5"})
    public int down;

    private RoundRobinBalancer balancer;

    @Setup
    public void setUp() {
        List<Server> list = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            Server server = new Server("bench", "s" + i, i, new InetSocketAddress("127.0.0.1", 9000 + i),
                    100 + 50 * (i % 3), 0);
            server.setHealthy(i >= down);
            list.add(server);
        }
        balancer = new RoundRobinBalancer(list);
    }

    @Benchmark
    @Threads(1)
    public Server pickOneThread() {
        return balancer.pick(null);
    }

    @Benchmark
    @Threads(2)
    public Server pickTwoThreads() {
        return balancer.pick(null);
    }
}
