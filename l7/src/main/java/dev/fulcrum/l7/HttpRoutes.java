package dev.fulcrum.l7;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.accesslog.AccessLog;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.l7.routing.Router;
import dev.fulcrum.l7.sticky.PoolStickiness;
import dev.fulcrum.lbcore.UpstreamTlsDialer;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;

/**
 * What one HTTP listener needs per request, resolved once per snapshot: its router, the pool
 * and exchange policy of every route by route index, and the meters of every (route, server).
 */
public final class HttpRoutes {

    private final ListenerConfig config;
    private final Router router;
    private final Pool[] poolByRoute;
    private final CompiledRouteActions[] actionsByRoute;
    private final ExchangePolicy[] policyByRoute;
    private final Counter[] retriesByRoute;
    private final LocalReplies[] replyByRoute;
    private final RequestMeters unrouted;
    private final RequestMeters[] noServerByRoute;
    private final RequestMeters[][] byRouteAndServer;
    private final ForwardedHeaders forwarding;
    private final AccessLog accessLog;
    private final PoolStickiness[] stickyByRoute;
    private final boolean[] hashesOnRequestByRoute;
    private final Counter internalErrors;

    HttpRoutes(ListenerConfig config, Map<String, Pool> pools, Map<String, PoolConfig> poolConfigs,
               MeterRegistry registry, AccessLog accessLog) {
        this(config, pools, poolConfigs, registry, accessLog, Map.of(), Map.of());
    }

    /**
     * @param stickiness by pool name, for the pools with sticky sessions
     * @param upstreamTls by pool name, for the pools reached over TLS
     */
    HttpRoutes(ListenerConfig config, Map<String, Pool> pools, Map<String, PoolConfig> poolConfigs,
               MeterRegistry registry, AccessLog accessLog, Map<String, PoolStickiness> stickiness,
               Map<String, UpstreamTlsDialer> upstreamTls) {
        this(config, pools, poolConfigs, MeterScope.open(registry), accessLog, stickiness, upstreamTls, null);
    }

    /**
     * @param meters the scope of the snapshot these routes belong to: every meter is registered in it
     * @param previous this listener's routes in the snapshot being replaced, or null: a route of
     *     the same name carries its concurrency count over
     */
    HttpRoutes(ListenerConfig config, Map<String, Pool> pools, Map<String, PoolConfig> poolConfigs,
               MeterScope meters, AccessLog accessLog, Map<String, PoolStickiness> stickiness,
               Map<String, UpstreamTlsDialer> upstreamTls, HttpRoutes previous) {
        this.config = config;
        this.accessLog = accessLog;
        this.router = Router.compile(config);
        this.forwarding = new ForwardedHeaders(config.forwarding());
        List<Route> routes = router.routes();
        String listener = config.name();
        this.poolByRoute = new Pool[routes.size()];
        this.actionsByRoute = new CompiledRouteActions[routes.size()];
        this.policyByRoute = new ExchangePolicy[routes.size()];
        this.stickyByRoute = new PoolStickiness[routes.size()];
        this.hashesOnRequestByRoute = new boolean[routes.size()];
        this.internalErrors = meters.register(Counter.builder(MetricNames.HTTP_INTERNAL_ERRORS)
                .description("Requests that met an internal error of the proxy (answered 500, or cut short)")
                .tags(MetricNames.TAG_LISTENER, listener)::register);
        this.retriesByRoute = new Counter[routes.size()];
        this.replyByRoute = new LocalReplies[routes.size()];
        this.noServerByRoute = new RequestMeters[routes.size()];
        this.byRouteAndServer = new RequestMeters[routes.size()][];
        this.unrouted = new RequestMeters(meters, listener, MetricNames.NONE, MetricNames.NONE, MetricNames.NONE);
        for (Route route : routes) {
            int i = route.index();
            ExchangePolicy before = previous == null ? null : previous.policy(route.name());
            actionsByRoute[i] = new CompiledRouteActions(config.routes().get(i).actions());
            if (route.pool() == null) {
                // The route answers itself: no pool, no servers.
                replyByRoute[i] = new LocalReplies(route.config().reply().orElseThrow());
                policyByRoute[i] = ExchangePolicy.of(route.config().policy(), config.edge().limits(),
                        UpstreamConfig.DEFAULTS, null, before);
                noServerByRoute[i] = new RequestMeters(meters, listener, route.name(), MetricNames.NONE,
                        MetricNames.NONE);
                byRouteAndServer[i] = new RequestMeters[0];
                continue;
            }
            Pool pool = pools.get(route.pool());
            if (pool == null) {
                throw new IllegalArgumentException("listener " + listener + ": route " + route.name()
                        + " names pool " + route.pool() + ", which does not exist");
            }
            poolByRoute[i] = pool;
            stickyByRoute[i] = stickiness.get(pool.name());
            hashesOnRequestByRoute[i] = poolConfigs.get(pool.name()).hashOn().needsHttp();
            policyByRoute[i] = ExchangePolicy.of(route.config().policy(), config.edge().limits(),
                    poolConfigs.get(pool.name()).upstream(), upstreamTls.get(pool.name()), before);
            noServerByRoute[i] = new RequestMeters(meters, listener, route.name(), pool.name(), MetricNames.NONE);
            retriesByRoute[i] = meters.register(Counter.builder(MetricNames.RETRIES)
                    .description("Requests tried again on another server after a failure before any response byte")
                    .tags(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_ROUTE, route.name(),
                            MetricNames.TAG_POOL, pool.name())::register);
            byRouteAndServer[i] = new RequestMeters[pool.servers().size()];
            for (Server server : pool.servers()) {
                byRouteAndServer[i][server.index()] =
                        new RequestMeters(meters, listener, route.name(), pool.name(), server.name());
            }
        }
    }

    public ListenerConfig config() {
        return config;
    }

    public Router router() {
        return router;
    }

    public Pool pool(Route route) {
        return poolByRoute[route.index()];
    }

    /** Null when the listener keeps no access log. */
    AccessLog accessLog() {
        return accessLog;
    }

    ForwardedHeaders forwarding() {
        return forwarding;
    }

    CompiledRouteActions actions(Route route) {
        return actionsByRoute[route.index()];
    }

    /** The route's own answer, or null when it goes to a pool. */
    LocalReplies reply(Route route) {
        return replyByRoute[route.index()];
    }

    Counter retries(Route route) {
        return retriesByRoute[route.index()];
    }

    /** The sticky sessions of the route's pool, or null when it has none. */
    PoolStickiness sticky(Route route) {
        return stickyByRoute[route.index()];
    }

    /** Whether the route's pool hashes on a header or cookie (read from the request as received). */
    boolean hashesOnRequest(Route route) {
        return hashesOnRequestByRoute[route.index()];
    }

    Counter internalErrors() {
        return internalErrors;
    }

    ExchangePolicy policy(Route route) {
        return policyByRoute[route.index()];
    }

    /** The policy of the route of that name, or null when this listener has none. */
    ExchangePolicy policy(String routeName) {
        for (Route route : router.routes()) {
            if (route.name().equals(routeName)) {
                return policyByRoute[route.index()];
            }
        }
        return null;
    }

    RequestMeters unroutedMeters() {
        return unrouted;
    }

    RequestMeters noServerMeters(Route route) {
        return noServerByRoute[route.index()];
    }

    RequestMeters meters(Route route, Server server) {
        return byRouteAndServer[route.index()][server.index()];
    }
}
