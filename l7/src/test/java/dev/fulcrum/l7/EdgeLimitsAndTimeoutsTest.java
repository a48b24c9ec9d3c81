package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.ProxyFixture.streamingRoute;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Body limits (413), client timeouts (408, quiet close) and upstream timeouts (504), on real sockets. */
class EdgeLimitsAndTimeoutsTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    /** Short client timeouts and a 1 KiB body limit. */
    private static final HttpEdgeConfig EDGE = new HttpEdgeConfig(new ListenerTimeouts(SHORT, SHORT, SHORT),
            new ListenerLimits(ListenerLimits.DEFAULT_REQUEST_LINE, ListenerLimits.DEFAULT_HEADER_BLOCK,
                    ListenerLimits.DEFAULT_HEADERS, 1024));

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private ProxyFixture proxy(Setup setup, List<RouteConfig> routes, Map<String, PoolConfig> pools,
                               PassiveHealth health) throws Exception {
        return closing(new ProxyFixture(setup, routes, pools, health, EDGE));
    }

    private ProxyFixture proxy(Setup setup, TestBackend web) throws Exception {
        return proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)), PassiveHealth.NONE);
    }

    private static String chunk(int size, char c) {
        return Integer.toHexString(size) + "\r\n" + String.valueOf(c).repeat(size) + "\r\n";
    }

    // ---- body limits ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void contentLengthOverTheLimitIs413BeforeAnythingIsForwarded(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web);

        try (RawHttpClient client = proxy.client()) {
            // Only the head is sent: the answer must not wait for the body.
            Response response = client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n");
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).isEqualTo("request body too large\n");
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        try (RawHttpClient client = proxy.client()) {
            Response atLimit = client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n"
                    + "a".repeat(1024));
            assertThat(atLimit.status()).isEqualTo(200);
        }
        assertThat(web.receivedRequests()).extracting(Received::bodyBytes).containsExactly(1024L);
        Counter tooLarge = proxy.registry.find("fulcrum.http.requests")
                .tags("route", "default", "server", "none", "code", "4xx").counter();
        assertThat(tooLarge.count()).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void aBufferedChunkedBodyCrossingTheLimitNeverReachesABackend(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web);

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk(600, 'a') + chunk(600, 'b'));
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).isEqualTo("request body too large\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        // Read whole (buffer_request) before a server is chosen: no backend heard of it.
        assertThat(web.connections.get()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void chunkedBodyCrossingTheLimitAbortsTheExchange(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, List.of(streamingRoute("web")), pools(pool("web", web)), PassiveHealth.NONE);

        try (RawHttpClient client = proxy.client()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(600, 'a'));
            // Streamed at once: the backend has the head before the body crosses the limit.
            await().atMost(Duration.ofSeconds(5)).until(() -> web.connections.get() == 1);
            client.send(chunk(600, 'b'));
            Response response = client.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).isEqualTo("request body too large\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        // The backend got part of the request and then its connection closed: never a whole request.
        await().atMost(Duration.ofSeconds(5)).until(() -> web.closedConnections.get() == web.connections.get());
        assertThat(web.connections.get()).isEqualTo(1);
        assertThat(web.receivedRequests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void crossingTheLimitAfterTheResponseStartedClosesTheConnection(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, List.of(streamingRoute("web")), pools(pool("web", web)), PassiveHealth.NONE);

        try (RawHttpClient client = proxy.client()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(600, 'a'));
            assertThat(client.readHead().status()).isEqualTo(200);
            assertThat(client.readChunk()).hasSize(600);
            client.send(chunk(600, 'b'));
            assertThat(client.isClosedByPeer()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void routesOverrideTheBodyLimitIncludingUnlimited(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, List.of(
                        route("upload", pathPrefix("/upload"), "web",
                                new RoutePolicy(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT, Optional.of(ListenerLimits.UNLIMITED))),
                        route("small", pathPrefix("/small"), "web",
                                new RoutePolicy(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT, Optional.of(100L))),
                        defaultRoute("web")),
                pools(pool("web", web)), PassiveHealth.NONE);

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n"
                    + "u".repeat(4096)).status()).isEqualTo(200);
            assertThat(client.exchange("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk(3000, 'c') + "0\r\n\r\n").status()).isEqualTo(200);
            assertThat(client.exchange("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                    + "s".repeat(100)).status()).isEqualTo(200);
            assertThat(client.exchange("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n").status())
                    .isEqualTo(413);
        }
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n").status())
                    .isEqualTo(413);
        }
        assertThat(web.receivedRequests()).extracting(Received::bodyBytes).containsExactly(4096L, 3000L, 100L);
    }

    // ---- client timeouts -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void slowlorisHeaderTrickleGets408AndClose(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web);
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        closing(trickler::shutdownNow);

        try (RawHttpClient client = proxy.client()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n");
            AtomicInteger sent = new AtomicInteger();
            // A header line every 50 ms, for up to 5 s: far longer than the 300 ms allowed.
            trickler.scheduleAtFixedRate(() -> {
                try {
                    if (sent.incrementAndGet() <= 100) {
                        client.send("X-Slow-" + sent.get() + ": x\r\n");
                    }
                } catch (IOException closed) {
                    throw new IllegalStateException(closed);
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            Response response = client.read();
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).isEqualTo("request timeout: header block not received in time\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(sent.get()).isLessThan(100);
            assertThat(client.isClosedByPeer()).isTrue();
        }
        assertThat(web.connections.get()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void stalledBodyGets408AndClose(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web);

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).isEqualTo("request timeout: request body stalled\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> web.closedConnections.get() == web.connections.get());
        assertThat(web.receivedRequests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void idleClientConnectionsAreClosedQuietly(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web);

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/", "x")).status()).isEqualTo(200);
            long start = System.nanoTime();
            // End of stream with no byte before it: no 408 for a connection that asked nothing.
            assertThat(client.isClosedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        try (RawHttpClient client = proxy.client()) {
            // Never sent a byte: closed after the header timeout, quietly too.
            assertThat(client.isClosedByPeer()).isTrue();
        }
        assertThat(web.requests.get()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void slowResponsesDoNotCountAsIdle(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("web")), pools(pool("web", web)), PassiveHealth.NONE);

        try (RawHttpClient client = proxy.client()) {
            // The client reads a large download slowly: no request is pending, yet it is not idle.
            client.send(get("/download?size=" + (8 << 20), "x"));
            Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            long read = 0;
            byte[] piece = new byte[16 * 1024];
            java.io.InputStream in = client.input();
            while (read < (8 << 20)) {
                int n = in.read(piece);
                assertThat(n).as("bytes after %s", read).isPositive();
                read += n;
                if (System.nanoTime() < deadline) {
                    // Read slowly for a second (three idle timeouts): blocked on the socket, not sleeping.
                    await().pollDelay(Duration.ofMillis(20)).atMost(Duration.ofSeconds(1)).until(() -> true);
                }
            }
            assertThat(client.exchange(get("/after", "x")).status()).isEqualTo(200);
        }
    }

    // ---- upstream timeouts ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void backendThatNeverAnswersGets504AfterTheResponseTimeout(Setup setup) throws Exception {
        // Accepted by the kernel, never by anyone: the request lands and nothing ever comes back.
        ServerSocket silent = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        List<String> failures = new CopyOnWriteArrayList<>();
        ProxyFixture proxy = proxy(setup,
                List.of(route("slow", ProxyFixture.pathPrefix("/"), "silent",
                        new RoutePolicy(SHORT, Optional.empty()))),
                pools(poolAtPort("silent", "silent-1", silent.getLocalPort())), recording(failures));

        try (RawHttpClient client = proxy.client()) {
            long start = System.nanoTime();
            Response response = client.exchange(get("/", "x"));
            assertThat(response.status()).isEqualTo(504);
            assertThat(response.body()).isEqualTo("upstream response timeout\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT);
            // The client connection stays usable; the backend connection was closed.
            assertThat(client.exchange(get("/", "x")).status()).isEqualTo(504);
        }
        assertThat(failures).containsExactly("silent-1", "silent-1");
        Server server = proxy.snapshot.get().pools().get("silent").servers().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeConnections() == 0);
        Counter timeouts = proxy.registry.find("fulcrum.http.requests")
                .tags("route", "slow", "server", "silent-1", "code", "5xx").counter();
        assertThat(timeouts.count()).isEqualTo(2.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void connectTimeoutIs504(Setup setup) throws Exception {
        // A listening socket whose accept queue is full drops further SYNs: connecting hangs.
        ServerSocket full = closing(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort());
        boolean hangs = false;
        for (int i = 0; i < 16 && !hangs; i++) {
            Socket filler = closing(new Socket());
            try {
                filler.connect(address, 200);
            } catch (SocketTimeoutException e) {
                hangs = true;
            }
        }
        Assumptions.assumeTrue(hangs, "this kernel answers SYNs on a full accept queue");
        List<String> failures = new CopyOnWriteArrayList<>();
        ProxyFixture proxy = proxy(setup, List.of(defaultRoute("full")),
                pools(poolAtPort("full", "full-1", full.getLocalPort(),
                        new UpstreamConfig(Duration.ofMillis(200), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 4))),
                recording(failures));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/", "x"));
            assertThat(response.status()).isEqualTo(504);
            assertThat(response.body()).isEqualTo("upstream connect timeout\n");
        }
        // The default retry tries again (the pool has no other server): two timeouts, one 504.
        assertThat(failures).containsExactly("full-1", "full-1");
    }

    @Test
    void thePoolsConnectTimeoutReachesTheBootstrap() throws Exception {
        try (dev.fulcrum.lbcore.EventLoops loops = new dev.fulcrum.lbcore.EventLoops(1,
                dev.fulcrum.lbcore.Transport.NIO)) {
            UpstreamPool pool = new UpstreamPool(loops.loops().get(0), loops.transport());
            UpstreamConfig config = new UpstreamConfig(Duration.ofMillis(1234), Duration.ofSeconds(5), 3);
            assertThat(pool.connectBootstrap(config).config().options().get(ChannelOption.CONNECT_TIMEOUT_MILLIS))
                    .isEqualTo(1234);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void pooledBackendConnectionsCloseAfterTheIdleTimeout(Setup setup) throws Exception {
        TestBackend kept = closing(new TestBackend("kept"));
        TestBackend unpooled = closing(new TestBackend("unpooled"));
        ProxyFixture proxy = proxy(setup, List.of(route("unpooled", pathPrefix("/unpooled"), "unpooled"),
                        defaultRoute("kept")),
                pools(pool("kept", new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT, SHORT, 4), kept),
                        pool("unpooled", new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
                                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 0), unpooled)),
                PassiveHealth.NONE);

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/", "x")).status()).isEqualTo(200);
            assertThat(client.exchange(get("/", "x")).status()).isEqualTo(200);
            assertThat(client.exchange(get("/unpooled", "x")).status()).isEqualTo(200);
        }
        assertThat(kept.connections.get()).isEqualTo(1);
        // max_idle 0: nothing is kept.
        await().atMost(Duration.ofSeconds(5)).until(() -> unpooled.closedConnections.get() == 1);
        // idle_timeout: the kept connection goes after 300 ms unused, and is uncounted.
        await().atMost(Duration.ofSeconds(5)).until(() -> kept.closedConnections.get() == 1);
        Server server = proxy.snapshot.get().pools().get("kept").servers().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeConnections() == 0);
    }

    private static PassiveHealth recording(List<String> failures) {
        return new PassiveHealth() {
            @Override
            public void onFailure(Server server, Throwable cause) {
                failures.add(server.name());
            }

            @Override
            public void onSuccess(Server server) {
            }
        };
    }
}
