package dev.fulcrum.l7;

import dev.fulcrum.config.AdminConfig;
import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.AccessLogConfig;
import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.Protocol;
import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** A running proxy on 127.0.0.1, port 0, built from configuration records as the appliance will. */
final class ProxyFixture implements AutoCloseable {

    /** A transport and a number of event loops to run a proxy test with. */
    record Setup(Transport transport, int threads) {
        @Override
        public String toString() {
            return transport.key() + " x" + threads;
        }
    }

    static Stream<Setup> setups() {
        List<Setup> setups = new ArrayList<>(List.of(new Setup(Transport.NIO, 1), new Setup(Transport.NIO, 2)));
        if (Epoll.isAvailable()) {
            setups.add(new Setup(Transport.EPOLL, 1));
            setups.add(new Setup(Transport.EPOLL, 2));
        }
        return setups.stream();
    }

    final EventLoops loops;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicReference<L7Snapshot> snapshot = new AtomicReference<>();
    final HttpListener listener;

    ProxyFixture(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools, PassiveHealth health,
                 HttpEdgeConfig edge) throws Exception {
        this(setup, routes, pools, health, edge, ForwardingConfig.DEFAULTS, Optional.empty());
    }

    ProxyFixture(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools, PassiveHealth health,
                 ForwardingConfig forwarding, Optional<AccessLogConfig> accessLog) throws Exception {
        this(setup, routes, pools, health, HttpEdgeConfig.DEFAULTS, forwarding, accessLog);
    }

    ProxyFixture(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools, PassiveHealth health,
                 HttpEdgeConfig edge, ForwardingConfig forwarding, Optional<AccessLogConfig> accessLog)
            throws Exception {
        loops = new EventLoops(setup.threads(), setup.transport());
        ListenerConfig web = new ListenerConfig("web", new Endpoint("127.0.0.1", 0), Protocol.HTTP, routes,
                Optional.empty(), List.of(), ProxyProtocol.NONE, Location.NONE, edge, forwarding, accessLog);
        FulcrumConfig config = new FulcrumConfig("test", Optional.of(setup.threads()), AdminConfig.defaults(),
                List.of(), List.of(web), pools, Optional.empty());
        try {
            snapshot.set(L7Snapshot.build(config, loops, registry, health));
            // The fixture's registry, so the listener's own meters (HTTP/2, refused connections) can be read too.
            listener = HttpListener.start(web, loops, snapshot::get, registry).get(10, TimeUnit.SECONDS);
        } catch (Exception | Error e) {
            loops.close();
            throw e;
        }
    }

    ProxyFixture(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools, PassiveHealth health)
            throws Exception {
        this(setup, routes, pools, health, HttpEdgeConfig.DEFAULTS);
    }

    ProxyFixture(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools) throws Exception {
        this(setup, routes, pools, PassiveHealth.NONE);
    }

    InetSocketAddress address() {
        return listener.localAddress();
    }

    RawHttpClient client() throws IOException {
        return new RawHttpClient(address());
    }

    static RouteConfig route(String name, MatchConfig match, String pool) {
        return route(name, match, pool, RoutePolicy.DEFAULTS);
    }

    static RouteConfig route(String name, MatchConfig match, String pool, RoutePolicy policy) {
        return new RouteConfig(name, match, pool, Location.NONE, policy);
    }

    static RouteConfig defaultRoute(String pool) {
        return route("default", MatchConfig.ANY, pool);
    }

    /** A route with {@code buffer_request: 0}: request bodies stream at once. */
    static final RoutePolicy STREAMING = new RoutePolicy(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT, Optional.empty(),
            RoutePolicy.DEFAULT_RETRIES, 0, RoutePolicy.DEFAULT_RESPONSE_IDLE_TIMEOUT, 0);

    static RouteConfig streamingRoute(String pool) {
        return route("default", MatchConfig.ANY, pool, STREAMING);
    }

    static MatchConfig pathPrefix(String prefix) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.of(prefix), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig host(String host) {
        return new MatchConfig(Optional.of(host), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static PoolConfig pool(String name, TestBackend... backends) {
        return pool(name, UpstreamConfig.DEFAULTS, backends);
    }

    static PoolConfig pool(String name, UpstreamConfig upstream, TestBackend... backends) {
        List<ServerConfig> servers = new ArrayList<>();
        for (TestBackend backend : backends) {
            servers.add(server(backend.name(), backend.port()));
        }
        return new PoolConfig(name, Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(), servers, Location.NONE,
                upstream, HashOn.SOURCE);
    }

    static PoolConfig poolAtPort(String name, String server, int port) {
        return poolAtPort(name, server, port, UpstreamConfig.DEFAULTS);
    }

    static PoolConfig poolAtPort(String name, String server, int port, UpstreamConfig upstream) {
        return new PoolConfig(name, Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(server(server, port)), Location.NONE, upstream, HashOn.SOURCE);
    }

    static ServerConfig server(String name, int port) {
        return new ServerConfig(name, new Endpoint("127.0.0.1", port), ServerConfig.DEFAULT_WEIGHT, 0, Location.NONE);
    }

    static Map<String, PoolConfig> pools(PoolConfig... pools) {
        Map<String, PoolConfig> byName = new LinkedHashMap<>();
        for (PoolConfig pool : pools) {
            byName.put(pool.name(), pool);
        }
        return byName;
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        snapshot.get().close();
        loops.close();
    }
}
