package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.HeaderActions;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.RouteActions;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-route path rewrites and header edits, through the real proxy path. */
class RouteActionsTest {

    private TestBackend backend;

    @BeforeEach
    void start() {
        LeakLog.reset();
        backend = new TestBackend("api");
    }

    @AfterEach
    void stop() {
        backend.close();
        LeakLog.assertNoLeaks();
    }

    private Response send(RouteConfig route, String request) throws Exception {
        try (ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1), List.of(route),
                pools(pool("api", backend)));
             RawHttpClient client = proxy.client()) {
            return client.exchange(request);
        }
    }

    private static RouteConfig route(MatchConfig match, RouteActions actions) {
        return new RouteConfig("api", match, "api", Location.NONE, actions);
    }

    private static RouteActions strip(String prefix) {
        return new RouteActions(Optional.of(prefix), Optional.empty(), HeaderActions.NONE, HeaderActions.NONE);
    }

    private static RouteActions rewrite(String regex, String replacement) {
        return new RouteActions(Optional.empty(), Optional.of(new RouteActions.PathRewrite(regex, replacement)),
                HeaderActions.NONE, HeaderActions.NONE);
    }

    @Test
    void stripPrefixRemovesTheMatchedPrefixAndKeepsTheQuery() throws Exception {
        assertThat(send(route(pathPrefix("/api"), strip("/api")), get("/api/users?id=7", "x")).status())
                .isEqualTo(200);
        assertThat(send(route(pathPrefix("/api"), strip("/api")), get("/api", "x")).status()).isEqualTo(200);

        assertThat(backend.receivedRequests()).extracting(Received::uri).containsExactly("/users?id=7", "/");
    }

    @Test
    void rewritePathReplacesTheFirstMatchWithGroups() throws Exception {
        send(route(pathPrefix("/old"), rewrite("^/old/(\\w+)/(.*)$", "/new/$2/$1")), get("/old/v1/items", "x"));
        send(route(MatchConfig.ANY, rewrite("^/never", "/x")), get("/kept/as/is?q", "x"));

        assertThat(backend.receivedRequests()).extracting(Received::uri)
                .containsExactly("/new/items/v1", "/kept/as/is?q");
    }

    @Test
    void theRewriteAppliesToTheNormalisedPath() throws Exception {
        send(route(pathPrefix("/api"), strip("/api")), get("/api/../api/./users", "x"));

        assertThat(backend.receivedRequests()).extracting(Received::uri).containsExactly("/users");
    }

    @Test
    void headerEditsRemoveThenSetThenAddInBothDirections() throws Exception {
        RouteActions edits = new RouteActions(Optional.empty(), Optional.empty(),
                new HeaderActions(Map.of("x-added", "a"), Map.of("x-tenant", "blue"), List.of("x-debug")),
                new HeaderActions(Map.of("x-frame-options", "DENY"), Map.of("x-backend", "hidden"), List.of("via")));

        Response response = send(route(MatchConfig.ANY, edits), "GET /h HTTP/1.1\r\nHost: x\r\n"
                + "X-Debug: 1\r\nX-Tenant: red\r\nX-Tenant: green\r\nX-Added: client\r\n\r\n");

        Received received = backend.receivedRequests().get(0);
        assertThat(received.headers().contains("X-Debug")).isFalse();
        assertThat(received.headers().getAll("X-Tenant")).containsExactly("blue");
        assertThat(received.headers().getAll("X-Added")).containsExactly("client", "a");
        assertThat(response.headers().get("x-frame-options")).containsExactly("DENY");
        assertThat(response.headers().get("x-backend")).containsExactly("hidden");
        assertThat(response.headers()).doesNotContainKey("via");
    }

    @Test
    void aPoolSendsTheClientsHostOrItsOwnChoice() throws Exception {
        List<String> hosts = new ArrayList<>();
        for (Optional<String> hostHeader : List.of(Optional.<String>empty(), Optional.of("server"),
                Optional.of("api.internal:8443"))) {
            UpstreamConfig upstream = new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
                    UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_IDLE, hostHeader);
            try (ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1), List.of(ProxyFixture.defaultRoute("api")),
                    pools(pool("api", upstream, backend)));
                 RawHttpClient client = proxy.client()) {
                assertThat(client.exchange(get("/h", "shop.example")).status()).isEqualTo(200);
            }
            hosts.add(backend.receivedRequests().get(backend.receivedRequests().size() - 1).headers().get("Host"));
        }

        assertThat(hosts).containsExactly("shop.example", "127.0.0.1:" + backend.port(), "api.internal:8443");
        assertThat(backend.receivedRequests().get(1).headers().get("X-Forwarded-Host")).isEqualTo("shop.example");
    }
}
