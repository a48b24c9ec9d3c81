package dev.fulcrum.health;

import dev.fulcrum.config.OutlierDetection;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.PassiveState;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health (Envoy's outlier detection): real traffic that fails ejects a server for a
 * while, no probe needed. Connect failures, resets and timeouts in a row, or 5xx answers in a
 * row, eject it for the base ejection time, longer each time in a row it is ejected again (up
 * to the maximum); at most a share of a pool is ejected at once, so this alone never empties
 * it. Called on event loops: counters are atomics, ejection ends on a timer.
 */
public final class OutlierDetector implements PassiveHealth {

    private static final Logger LOG = LoggerFactory.getLogger(OutlierDetector.class);

    private final Map<String, Policy> policies;
    private final EventExecutor timers;
    private final Map<Server, Counter> ejections;
    private final MeterScope meters;
    private volatile boolean closed;

    /** One pool's settings and servers. */
    private record Policy(OutlierDetection settings, Pool pool) {
    }

    /**
     * @param timers where ejections end (a single-threaded executor is enough: they are rare)
     */
    public OutlierDetector(Map<String, Pool> pools, Map<String, PoolConfig> configs, EventExecutor timers,
                           MeterRegistry registry) {
        Map<String, Policy> byPool = new HashMap<>();
        Map<Server, Counter> counters = new IdentityHashMap<>();
        MeterScope meters = MeterScope.open(registry);
        this.meters = meters;
        pools.forEach((name, pool) -> {
            PoolConfig config = configs.get(name);
            if (config != null && config.failure().outlier().enabled()) {
                byPool.put(name, new Policy(config.failure().outlier(), pool));
                for (Server server : pool.servers()) {
                    counters.put(server, meters.register(Counter.builder(MetricNames.SERVER_EJECTIONS)
                            .tag(MetricNames.TAG_POOL, name).tag(MetricNames.TAG_SERVER, server.name())
                            .description("times passive outlier detection ejected the server")::register));
                }
            }
        });
        this.policies = Map.copyOf(byPool);
        this.timers = timers;
        this.ejections = counters;
        // A reload hands over servers still ejected: their ejection ends here, on time.
        pools.values().forEach(pool -> pool.servers().stream().filter(Server::isEjected).forEach(server ->
                scheduleReturn(server, Math.max(0, server.passive().ejectedUntilNanos.get() - System.nanoTime()),
                        "ejection ended")));
    }

    /**
     * A reload replaced this detector: the ejections it timed end with the one that took over,
     * and the ejection counters of servers that one does not watch go.
     */
    public void close() {
        closed = true;
        meters.close();
    }

    @Override
    public void onFailure(Server server, Throwable cause) {
        Policy policy = policies.get(server.pool());
        if (policy == null || policy.settings().consecutiveFailures() == 0) {
            return;
        }
        int failures = server.passive().consecutiveFailures.incrementAndGet();
        if (failures >= policy.settings().consecutiveFailures()) {
            eject(policy, server, failures + " failures in a row, the last: " + describe(cause));
        }
    }

    @Override
    public void onSuccess(Server server) {
        server.passive().consecutiveFailures.set(0);
    }

    @Override
    public void onResponse(Server server, int status) {
        Policy policy = policies.get(server.pool());
        if (policy == null || policy.settings().consecutive5xx() == 0) {
            return;
        }
        PassiveState passive = server.passive();
        if (status < 500) {
            passive.consecutive5xx.set(0);
            return;
        }
        int errors = passive.consecutive5xx.incrementAndGet();
        if (errors >= policy.settings().consecutive5xx()) {
            eject(policy, server, errors + " 5xx answers in a row, the last " + status);
        }
    }

    private void eject(Policy policy, Server server, String why) {
        OutlierDetection settings = policy.settings();
        if (server.isEjected() || !mayEject(policy)) {
            return;
        }
        PassiveState passive = server.passive();
        long now = System.nanoTime();
        long lastReturn = passive.lastReturnNanos.get();
        if (lastReturn != 0 && now - lastReturn > settings.maxEjection().toNanos()) {
            // Well-behaved for a whole maximum ejection since it came back: start again from the base time.
            passive.ejections.set(0);
        }
        int times = passive.ejections.get() + 1;
        Duration length = ejectionLength(settings, times);
        if (!server.setEjected(true, "ejected for " + format(length) + " after " + why)) {
            return;
        }
        passive.ejections.set(times);
        passive.consecutiveFailures.set(0);
        passive.consecutive5xx.set(0);
        ejections.get(server).increment();
        LOG.warn("server {}/{} ejected for {} after {}", server.pool(), server.name(), format(length), why);
        passive.ejectedUntilNanos.set(now + length.toNanos());
        scheduleReturn(server, length.toNanos(), "ejection of " + format(length) + " ended");
    }

    private void scheduleReturn(Server server, long delayNanos, String reason) {
        timers.schedule(() -> {
            if (closed) {
                return;
            }
            server.passive().lastReturnNanos.set(System.nanoTime());
            server.setEjected(false, reason);
            LOG.info("server {}/{} back from ejection", server.pool(), server.name());
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Ejecting one more server keeps the ejected share within max_ejected_percent. */
    private static boolean mayEject(Policy policy) {
        int total = policy.pool().servers().size();
        int ejected = 0;
        for (Server server : policy.pool().servers()) {
            if (server.isEjected()) {
                ejected++;
            }
        }
        return (ejected + 1) * 100L <= (long) total * policy.settings().maxEjectedPercent();
    }

    static Duration ejectionLength(OutlierDetection settings, int times) {
        Duration length = settings.baseEjection().multipliedBy(times);
        return length.compareTo(settings.maxEjection()) > 0 ? settings.maxEjection() : length;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "closed before answering";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
