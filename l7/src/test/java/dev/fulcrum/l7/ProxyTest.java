package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.host;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.ProxyFixture.streamingRoute;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private TestBackend backend(String name) {
        return closing(new TestBackend(name));
    }

    private ProxyFixture proxy(Setup setup, List<dev.fulcrum.config.RouteConfig> routes,
                               Map<String, dev.fulcrum.config.PoolConfig> pools) throws Exception {
        return closing(new ProxyFixture(setup, routes, pools));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void routesByHostAndPathPrefix(Setup setup) throws Exception {
        TestBackend video = backend("video");
        TestBackend billing = backend("billing");
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup,
                List.of(route("video", pathPrefix("/video"), "video"),
                        route("billing", host("billing.example.com"), "billing"),
                        defaultRoute("web")),
                pools(pool("video", video), pool("billing", billing), pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/video/clip", "a.example")).body()).isEqualTo("video");
            assertThat(client.exchange(get("/", "Billing.Example.com:8080")).body()).isEqualTo("billing");
            assertThat(client.exchange(get("/videos", "a.example")).body()).isEqualTo("web");
            Response normalised = client.exchange(get("/billing/../video", "billing.example.com"));
            assertThat(normalised.body()).isEqualTo("video");
        }
        assertThat(video.receivedRequests()).extracting(Received::uri).containsExactly("/video/clip", "/video");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void roundRobinAcrossTwoServers(Setup setup) throws Exception {
        TestBackend one = backend("one");
        TestBackend two = backend("two");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", one, two)));

        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            try (RawHttpClient client = proxy.client()) {
                answers.merge(client.exchange(get("/", "x")).body(), 1, Integer::sum);
            }
        }
        assertThat(answers).containsEntry("one", 5).containsEntry("two", 5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void keepAliveReusesBackendConnections(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            for (int i = 0; i < 20; i++) {
                Response response = client.exchange(get("/" + i, "x"));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("connection")).isNull();
            }
        }
        assertThat(web.requests.get()).isEqualTo(20);
        assertThat(web.connections.get()).isEqualTo(1);

        // New client connections land on any loop; each loop reuses its own idle connection.
        for (int i = 0; i < 20; i++) {
            try (RawHttpClient client = proxy.client()) {
                assertThat(client.exchange(get("/", "x")).status()).isEqualTo(200);
            }
        }
        assertThat(web.requests.get()).isEqualTo(40);
        assertThat(web.connections.get()).isLessThanOrEqualTo(setup.threads());
        Server server = proxy.snapshot.get().pools().get("web").servers().get(0);
        assertThat(server.activeConnections()).isEqualTo(web.connections.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void pipelinedRequestsAreAnsweredInOrder(Setup setup) throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        ProxyFixture proxy = proxy(setup, List.of(route("b", pathPrefix("/b"), "b"), defaultRoute("a")),
                pools(pool("a", a), pool("b", b)));

        try (RawHttpClient client = proxy.client()) {
            client.send(get("/a", "x") + get("/b", "x") + get("/nowhere/../a", "x") + get("/b/2", "x"));
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(client.read().body());
            }
            assertThat(bodies).containsExactly("a", "b", "a", "b");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void noRouteIs404AndTheConnectionStaysUsable(Setup setup) throws Exception {
        TestBackend video = backend("video");
        ProxyFixture proxy = proxy(setup, List.of(route("video", pathPrefix("/video"), "video")),
                pools(pool("video", video)));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/billing", "x"));
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.body()).isEqualTo("no route for this request\n");
            assertThat(client.exchange(get("/video", "x")).body()).isEqualTo("video");
        }
        Counter unrouted = proxy.registry.find("fulcrum.http.requests")
                .tags("listener", "web", "route", "none", "pool", "none", "server", "none", "code", "4xx").counter();
        assertThat(unrouted.count()).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void noEligibleServerIs503(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));
        proxy.snapshot.get().pools().get("web").servers().get(0).setEnabled(false);

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/", "x"));
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("no server available in pool web\n");
        }
        assertThat(web.connections.get()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void backendDownIs502AndReportedToPassiveHealth(Setup setup) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        List<String> failures = new CopyOnWriteArrayList<>();
        PassiveHealth health = new PassiveHealth() {
            @Override
            public void onFailure(Server server, Throwable cause) {
                failures.add(server.name());
            }

            @Override
            public void onSuccess(Server server) {
            }
        };
        ProxyFixture proxy = closing(new ProxyFixture(setup, List.of(defaultRoute("web")),
                pools(poolAtPort("web", "gone", closedPort)), health));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/", "x"));
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).isEqualTo("upstream connect failed\n");
            assertThat(client.exchange(get("/", "x")).status()).isEqualTo(502);
        }
        // Each request tries twice (the default retry; the pool has no other server): four failures.
        assertThat(failures).containsExactly("gone", "gone", "gone", "gone");
        Server gone = proxy.snapshot.get().pools().get("web").servers().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> gone.activeConnections() == 0);
        Counter errors = proxy.registry.find("fulcrum.http.requests")
                .tags("route", "default", "server", "gone", "code", "5xx").counter();
        assertThat(errors.count()).isEqualTo(2.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void backendClosingWithoutAnswerIs502(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/drop", "x"));
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).isEqualTo("upstream closed the connection before responding\n");
            assertThat(client.exchange(get("/fine", "x")).body()).isEqualTo("web");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void anAbsoluteFormTargetOverridesADisagreeingHostOneWayForRouterAndBackend(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            // RFC 9112 3.2.2: the target's authority wins; the backend must never see the other Host.
            Response response = client.exchange("GET http://a.example/x/../y HTTP/1.1\r\nHost: b.example\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
        }
        Received received = web.receivedRequests().get(0);
        assertThat(received.uri()).isEqualTo("/y");
        assertThat(received.headers().getAll("Host")).containsExactly("a.example");
        assertThat(received.headers().get("X-Forwarded-Host")).isEqualTo("a.example");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void forwardingHeadersAddedAndHopByHopStripped(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("GET /hop?x=1 HTTP/1.1\r\n"
                    + "Host: shop.example:8080\r\n"
                    + "Connection: keep-alive, X-Drop-Me\r\n"
                    + "X-Drop-Me: secret\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Custom: kept\r\n"
                    + "\r\n");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).containsKey("x-kept")
                    .doesNotContainKeys("x-secret", "keep-alive", "proxy-connection", "upgrade", "trailer", "connection");
        }
        Received received = web.receivedRequests().get(0);
        assertThat(received.uri()).isEqualTo("/hop?x=1");
        // The client is no trusted proxy: what it claimed is replaced, not extended.
        assertThat(received.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(received.headers().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.headers().get("X-Forwarded-Host")).isEqualTo("shop.example:8080");
        assertThat(received.headers().get("Host")).isEqualTo("shop.example:8080");
        assertThat(received.headers().get("X-Custom")).isEqualTo("kept");
        assertThat(received.headers().names()).map(String::toLowerCase)
                .doesNotContain("x-drop-me", "keep-alive", "proxy-connection", "te", "connection");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void framingGuardRefusesAmbiguousRequestsWithoutForwarding(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        String[] smuggling = {
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        };
        for (String request : smuggling) {
            try (RawHttpClient client = proxy.client()) {
                Response response = client.exchange(request);
                assertThat(response.status()).as(request).isEqualTo(400);
                assertThat(response.body()).as(request).startsWith("bad request: ");
                assertThat(client.isClosedByPeer()).as(request).isTrue();
            }
        }
        // A refused path is a bad request, not a framing problem: the connection stays in sync and open.
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/a%2Fb", "x"));
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).isEqualTo("bad request: encoded slash (%2F) in path\n");
            assertThat(client.exchange(get("/ok", "x")).body()).isEqualTo("web");
        }
        // Behind a good request on the same connection: the good one is answered, the bad one never forwarded.
        try (RawHttpClient client = proxy.client()) {
            client.send(get("/ok", "x")
                    + "POST /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /inner HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read().body()).isEqualTo("web");
            assertThat(client.read().status()).isEqualTo(400);
            assertThat(client.isClosedByPeer()).isTrue();
        }
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/ok", "/ok");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void streamsBodiesWithoutWaitingForTheirEnd(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(streamingRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            // The first piece comes back while the request is still open: nothing is buffered whole.
            assertThat(client.readChunk()).isEqualTo("hello");
            client.send("6\r\n world\r\n0\r\n\r\n");
            assertThat(client.readChunk()).isEqualTo(" world");
            assertThat(client.readChunk()).isEmpty();
            assertThat(client.exchange(get("/after", "x")).body()).isEqualTo("web");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void httpVersionsAndConnectionCloseAreRespected(Setup setup) throws Exception {
        TestBackend web = backend("web");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("GET / HTTP/1.0\r\n\r\n");
            assertThat(response.body()).isEqualTo("web");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(response.header("connection")).isEqualToIgnoringCase("keep-alive");
            // An unframed backend body cannot be chunked to HTTP/1.0: it ends with the connection.
            Response unframed = client.exchange("GET /unframed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(unframed.body()).isEqualTo("web");
            assertThat(unframed.header("transfer-encoding")).isNull();
        }
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        try (RawHttpClient client = proxy.client()) {
            // HTTP/1.1 client, unframed backend body: chunked, and the client connection survives.
            Response unframed = client.exchange(get("/unframed", "x"));
            assertThat(unframed.body()).isEqualTo("web");
            assertThat(unframed.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
            assertThat(client.exchange(get("/", "x")).body()).isEqualTo("web");
        }
        assertThat(web.receivedRequests()).allSatisfy(r -> assertThat(r.headers().get("Connection")).isNull());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void requestMetricsAreCountedPerRouteAndServer(Setup setup) throws Exception {
        TestBackend one = backend("one");
        TestBackend two = backend("two");
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", one, two)));

        try (RawHttpClient client = proxy.client()) {
            for (int i = 0; i < 6; i++) {
                assertThat(client.exchange(get("/", "x")).status()).isEqualTo(200);
            }
        }
        for (String server : List.of("one", "two")) {
            Counter ok = proxy.registry.find("fulcrum.http.requests")
                    .tags("listener", "web", "route", "default", "pool", "web", "server", server, "code", "2xx")
                    .counter();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ok.count()).isEqualTo(3.0));
            Timer timer = proxy.registry.find("fulcrum.http.request.duration").tags("server", server).timer();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(timer.count()).isEqualTo(3));
        }
    }
}
