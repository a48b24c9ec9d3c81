package dev.fulcrum.health;

import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.lbcore.pool.ServerEvents;
import dev.fulcrum.lbcore.pool.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the state of pools and servers, and logs every change of a server's state with its
 * reason: one line per transition, WARN when a server leaves rotation, INFO when it returns.
 */
public final class HealthMetrics implements ServerEvents {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMetrics.class);

    private final MeterRegistry registry;
    private final MeterScope meters;

    private HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.meters = MeterScope.open(registry);
    }

    /**
     * Registers the meters of these pools and reports their servers' transitions here. Gauges
     * read the server objects given: a configuration reload binds its new pools (their gauges
     * replace those of the same names), then closes the previous binding.
     */
    public static HealthMetrics bind(Map<String, Pool> pools, MeterRegistry registry) {
        HealthMetrics metrics = new HealthMetrics(registry);
        MeterScope meters = metrics.meters;
        pools.forEach((name, pool) -> {
            meters.replace(Gauge.builder(MetricNames.POOL_PANIC, pool, p -> p.inPanic() ? 1 : 0)
                    .tag(MetricNames.TAG_POOL, name)
                    .description("1 while no server is up and traffic goes to every enabled server")::register);
            meters.replace(FunctionCounter.builder(MetricNames.POOL_PANIC_PICKS, pool, Pool::panicPicks)
                    .tag(MetricNames.TAG_POOL, name).description("picks of a down server in panic")::register);
            meters.replace(Gauge.builder(MetricNames.POOL_QUEUE_WAITING, pool, p -> p.queue().waiting())
                    .tag(MetricNames.TAG_POOL, name).description("connections waiting for a server with room")::register);
            for (Server server : pool.servers()) {
                meters.replace(Gauge.builder(MetricNames.SERVER_UP, server,
                                s -> s.isHealthy() && !s.isEjected() ? 1 : 0)
                        .tag(MetricNames.TAG_POOL, name).tag(MetricNames.TAG_SERVER, server.name())
                        .description("1 while the server passes its checks and is not ejected")::register);
                meters.replace(Gauge.builder(MetricNames.SERVER_IN_ROTATION, server, s -> s.isInRotation() ? 1 : 0)
                        .tag(MetricNames.TAG_POOL, name).tag(MetricNames.TAG_SERVER, server.name())
                        .description("1 while the server takes new traffic: enabled, up, not ejected")::register);
                meters.replace(Gauge.builder(MetricNames.SERVER_CONNECTIONS_ACTIVE, server,
                                Server::activeConnections)
                        .tag(MetricNames.TAG_POOL, name).tag(MetricNames.TAG_SERVER, server.name())
                        .description("connections to the server open or opening now (http and tcp)")::register);
                // The transitions counted so far for a server of this name go on counting.
                for (Counter counted : registry.find(MetricNames.SERVER_TRANSITIONS).tag(MetricNames.TAG_POOL, name)
                        .tag(MetricNames.TAG_SERVER, server.name()).counters()) {
                    metrics.transitions(server, counted.getId().getTag(MetricNames.TAG_TO),
                            counted.getId().getTag(MetricNames.TAG_CAUSE));
                }
                server.reportTo(metrics);
            }
        });
        return metrics;
    }

    /**
     * Removes the meters of the servers and pools the binding that replaced this one does not
     * have. The panic-picks counter restarts from zero with the new pool: Prometheus' rate()
     * handles the reset.
     */
    public void close() {
        meters.close();
    }

    private Counter transitions(Server server, String to, String cause) {
        return meters.register(Counter.builder(MetricNames.SERVER_TRANSITIONS).tag(MetricNames.TAG_POOL, server.pool())
                .tag(MetricNames.TAG_SERVER, server.name()).tag(MetricNames.TAG_TO, to)
                .tag(MetricNames.TAG_CAUSE, cause)
                .description("changes of a server's state, by the state reached and what changed it")::register);
    }

    @Override
    public void transition(Server server, Transition transition) {
        if (transition.to().equals("up")) {
            LOG.info("server {}/{}: {}", server.pool(), server.name(), transition);
        } else {
            LOG.warn("server {}/{}: {}", server.pool(), server.name(), transition);
        }
        // Rare: a lookup per transition is fine.
        transitions(server, transition.to(), transition.cause()).increment();
    }
}
