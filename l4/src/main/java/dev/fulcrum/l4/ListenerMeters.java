package dev.fulcrum.l4;

import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;

import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_LISTENER;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_POOL;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_SERVER;

import dev.fulcrum.lbcore.ConnectionLimit;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.List;

/**
 * The meters of one tcp listener, created once per snapshot so the data path only increments.
 *
 * <p>The active gauge is computed from two counters rather than held in a field: a registry
 * returns the same counter for the same name and tags, so the gauge registered by the first
 * snapshot stays right for every later one. All are registered in the snapshot's scope: they
 * leave the registry with the last snapshot that has the listener (and the server).
 */
final class ListenerMeters {

    private final MeterScope meters;
    private final String listener;
    private final Counter accepted;
    private final Counter closed;
    final Counter refusedNoServer;
    final Counter refusedQueueFull;
    final Counter refusedQueueTimeout;
    final Counter refusedBadProxyHeader;
    final Counter refusedNoRoute;
    final Counter refusedDraining;

    ListenerMeters(MeterScope meters, String listener) {
        this.meters = meters;
        this.listener = listener;
        this.accepted = meters.register(Counter.builder(MetricNames.TCP_CONNECTIONS).tag(TAG_LISTENER, listener)
                .description("TCP connections accepted")::register);
        this.closed = meters.register(Counter.builder(MetricNames.TCP_CONNECTIONS_CLOSED).tag(TAG_LISTENER, listener)
                .description("TCP connections closed")::register);
        Counter acceptedForGauge = accepted;
        Counter closedForGauge = closed;
        meters.register(Gauge.builder(MetricNames.TCP_CONNECTIONS_ACTIVE,
                        () -> acceptedForGauge.count() - closedForGauge.count())
                .tag(TAG_LISTENER, listener).description("TCP connections open").strongReference(true)::register);
        refusedNoServer = refused(meters, listener, MetricNames.REFUSED_NO_SERVER);
        refusedQueueFull = refused(meters, listener, MetricNames.REFUSED_QUEUE_FULL);
        refusedQueueTimeout = refused(meters, listener, MetricNames.REFUSED_QUEUE_TIMEOUT);
        refusedBadProxyHeader = refused(meters, listener, MetricNames.REFUSED_BAD_PROXY_HEADER);
        refusedNoRoute = refused(meters, listener, MetricNames.REFUSED_NO_ROUTE);
        refusedDraining = refused(meters, listener, MetricNames.REFUSED_DRAINING);
    }

    private static Counter refused(MeterScope meters, String listener, String reason) {
        return meters.register(registry -> ConnectionLimit.refusedCounter(registry, listener, reason));
    }

    /** This listener's meters of each server of a pool, indexed by {@link Server#index()}. */
    ServerMeters[] servers(Pool pool) {
        List<Server> all = pool.servers();
        ServerMeters[] servers = new ServerMeters[all.size()];
        for (Server server : all) {
            servers[server.index()] = new ServerMeters(meters, listener, server);
        }
        return servers;
    }

    void accepted() {
        accepted.increment();
    }

    void closed() {
        closed.increment();
    }

    /** Accepted minus closed: the connections open now. */
    long active() {
        return (long) (accepted.count() - closed.count());
    }

    /** Per server of the listener's pool. */
    static final class ServerMeters {
        final Counter bytesToServer;
        final Counter bytesToClient;
        final Counter connectFailures;

        ServerMeters(MeterScope meters, String listener, Server server) {
            bytesToServer = bytes(meters, listener, server, MetricNames.TO_SERVER);
            bytesToClient = bytes(meters, listener, server, MetricNames.TO_CLIENT);
            connectFailures = meters.register(Counter.builder(MetricNames.TCP_CONNECT_FAILURES)
                    .tag(TAG_LISTENER, listener).tag(TAG_POOL, server.pool()).tag(TAG_SERVER, server.name())
                    .description("backend connections that failed to open")::register);
        }

        private static Counter bytes(MeterScope meters, String listener, Server server, String direction) {
            return meters.register(Counter.builder(MetricNames.TCP_BYTES).baseUnit("bytes").tag(TAG_LISTENER, listener)
                    .tag(TAG_POOL, server.pool()).tag(TAG_SERVER, server.name())
                    .tag(MetricNames.TAG_DIRECTION, direction).description("bytes relayed")::register);
        }
    }
}
