package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of every server of every pool configured with a {@code health_check}:
 * probes (tcp, http, tls, https, grpc) sent on the event loops, whose results take servers down
 * after {@code fall} failures in a row and bring them up after {@code rise} passes in a row.
 * The servers are spread over the event loops; each is checked by its own {@link ServerCheck}.
 *
 * <p>Meters (per pool and server): {@code fulcrum.health.checks} by result and
 * {@code fulcrum.health.check.duration}. The checks of a reloaded configuration register the
 * same meters and carry on counting; {@link #close()} removes those of servers no checks
 * started since hold (a removed server, a pool no longer checked).
 */
public final class ActiveHealthChecks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecks.class);

    /** How long {@link #close()} waits for in-progress checks to be cancelled. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final List<ServerCheck> checks;
    private final MeterScope meters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ActiveHealthChecks(List<ServerCheck> checks, MeterScope meters) {
        this.checks = List.copyOf(checks);
        this.meters = meters;
    }

    /**
     * Starts checking. Call off the event loops.
     *
     * @param pools the runtime pools, by name, as {@code Pools.build} returns them
     * @param configs their configurations, by the same names; pools without a
     *     {@code health_check} (or without a configuration) are not checked
     */
    public static ActiveHealthChecks start(Map<String, Pool> pools, Map<String, PoolConfig> configs,
                                           EventLoops loops, MeterRegistry registry) {
        List<EventLoop> eventLoops = loops.loops();
        Probes probes = new Probes();
        MeterScope meters = MeterScope.open(registry);
        List<ServerCheck> checks = new ArrayList<>();
        for (Map.Entry<String, Pool> entry : pools.entrySet()) {
            PoolConfig pool = configs.get(entry.getKey());
            Optional<HealthCheckConfig> configured = Optional.ofNullable(pool).flatMap(PoolConfig::healthCheck);
            if (configured.isEmpty()) {
                continue;
            }
            HealthCheckConfig config = configured.get();
            Probe probe = probes.forConfig(config, pool.upstream().tls().isPresent());
            ProbeRunner runner = new ProbeRunner(loops.transport(), probe, config.timeout());
            for (Server server : entry.getValue().servers()) {
                EventLoop loop = eventLoops.get(checks.size() % eventLoops.size());
                checks.add(new ServerCheck(server, loop, runner, config, new CheckMeters(meters, server)));
            }
        }
        ActiveHealthChecks started = new ActiveHealthChecks(checks, meters);
        checks.forEach(ServerCheck::start);
        if (!checks.isEmpty()) {
            LOG.info("active health checks started for {} servers", checks.size());
        }
        return started;
    }

    /** The servers being checked, for tests and status pages. */
    int serversChecked() {
        return checks.size();
    }

    /**
     * Stops every check: none starts after this returns, and those in progress are cancelled
     * and their connections closed. Waits for that unless called on one of the event loops.
     * The meters of servers that no checks started since hold leave the registry.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        meters.close();
        List<Future<?>> stopped = new ArrayList<>(checks.size());
        checks.forEach(check -> stopped.add(check.stop()));
        if (checks.stream().anyMatch(check -> check.loop().inEventLoop())) {
            // Waiting here would block the loop that has to do the cancelling.
            return;
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Future<?> stop : stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !stop.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                LOG.warn("health checks: some were still being cancelled after {}", CLOSE_WAIT);
                return;
            }
        }
    }
}
