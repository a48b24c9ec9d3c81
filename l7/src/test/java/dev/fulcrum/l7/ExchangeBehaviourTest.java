package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.ProxyFixture.server;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.HeaderActions;
import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.RouteActions;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Server;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The exchange's own rules, one defect each: what failed before the exchange was split out. */
class ExchangeBehaviourTest {

    private static final String OK_2 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private static final Setup ONE_LOOP = new Setup(Transport.NIO, 1);

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private ScriptedBackend backend(ScriptedBackend.Script script) throws Exception {
        return closing(new ScriptedBackend(connection -> {
            connections.incrementAndGet();
            script.serve(connection);
        }));
    }

    private ProxyFixture proxy(List<RouteConfig> routes, Map<String, PoolConfig> pools) throws Exception {
        return closing(new ProxyFixture(ONE_LOOP, routes, pools));
    }

    @Test
    void aPooledConnectionTheServerHadClosedIsRetriedOnceOnANewOneEvenForAPost() throws Exception {
        // The first connection answers one request, then takes the next and drops it unanswered,
        // as a server does that closed an idle keep-alive connection just as the request came.
        ScriptedBackend backend = backend(connection -> {
            boolean first = connections.get() == 1;
            int served = 0;
            for (String head; (head = connection.readHead()) != null; served++) {
                if (first && served == 1) {
                    return;
                }
                if (!first) {
                    heads.add(head);
                }
                connection.readBody(4);
                connection.write(OK_2);
            }
        });
        ProxyFixture proxy = proxy(List.of(defaultRoute("s")), pools(poolAtPort("s", "only", backend.port())));

        try (RawHttpClient client = proxy.client()) {
            String post = "POST /order HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody";
            assertThat(client.exchange(post).body()).isEqualTo("ok");
            Response again = client.exchange(post);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo("ok");
        }
        assertThat(connections.get()).isEqualTo(2);
        assertThat(heads).hasSize(1);
    }

    @Test
    void underSaturationAReleasedConnectionServesTheNextWaiterInsteadOfClosing() throws Exception {
        ScriptedBackend backend = backend(connection -> {
            while (connection.readHead() != null) {
                connection.write(OK_2);
            }
        });
        // One connection at most, and a queue for the rest.
        PoolConfig pool = new PoolConfig("s", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(new ServerConfig("only", new dev.fulcrum.config.Endpoint("127.0.0.1", backend.port()),
                        ServerConfig.DEFAULT_WEIGHT, 1, Location.NONE)), Location.NONE,
                new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT, UpstreamConfig.DEFAULT_IDLE_TIMEOUT,
                        UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(), 16, Duration.ofSeconds(10),
                        Optional.empty()), HashOn.SOURCE);
        ProxyFixture proxy = proxy(List.of(defaultRoute("s")), pools(pool));

        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(clients.submit(() -> {
                    StringBuilder bodies = new StringBuilder();
                    try (RawHttpClient client = proxy.client()) {
                        for (int j = 0; j < 5; j++) {
                            bodies.append(client.exchange(get("/q", "x")).body());
                        }
                    }
                    return bodies.toString();
                }));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("ok".repeat(5));
            }
        } finally {
            clients.shutdownNow();
        }
        // Twenty requests through one connection: each release fed the next waiter.
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void connectionsIdleOnAnotherLoopDoNotUseUpAServersCap() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        // One connection at most and no queue: the room is either free or held.
        PoolConfig pool = new PoolConfig("s", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(new ServerConfig("web", new dev.fulcrum.config.Endpoint("127.0.0.1", web.port()),
                        ServerConfig.DEFAULT_WEIGHT, 1, Location.NONE)), Location.NONE,
                new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT, UpstreamConfig.DEFAULT_IDLE_TIMEOUT,
                        UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(), 0, Duration.ofSeconds(1),
                        Optional.empty()), HashOn.SOURCE);
        // Two loops; client connections are handed to them in turn.
        ProxyFixture proxy = closing(new ProxyFixture(new Setup(Transport.NIO, 2), List.of(defaultRoute("s")),
                pools(pool)));

        try (RawHttpClient first = proxy.client(); RawHttpClient second = proxy.client()) {
            assertThat(first.exchange(get("/a", "x")).body()).isEqualTo("web");
            // The first loop keeps its backend connection idle; the second loop's request needs its room.
            Response other = second.exchange(get("/b", "x"));
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.body()).isEqualTo("web");
        }
        // The idle one was closed to make room, and a connection of the second loop opened.
        assertThat(web.connections.get()).isEqualTo(2);
    }

    @Test
    void hashKeysAreReadFromTheRequestAsTheClientSentIt() throws Exception {
        List<TestBackend> servers = new ArrayList<>();
        List<ServerConfig> configs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            TestBackend backend = closing(new TestBackend("b" + i));
            servers.add(backend);
            configs.add(server(backend.name(), backend.port()));
        }
        PoolConfig pool = new PoolConfig("app", Balance.CONSISTENT_HASH, Optional.empty(), Optional.empty(), configs,
                Location.NONE, new HashOn.Header("x-user"));
        // The route removes the key on its way to the backend: the balancer must still have seen it.
        RouteActions dropUser = new RouteActions(Optional.empty(), Optional.empty(),
                new HeaderActions(Map.of(), Map.of(), List.of("x-user")), HeaderActions.NONE);
        RouteConfig route = new RouteConfig("default", MatchConfig.ANY, Optional.of("app"), Location.NONE,
                RoutePolicy.DEFAULTS, dropUser, Optional.empty());
        ProxyFixture proxy = proxy(List.of(route), pools(pool));

        Map<String, String> serverOfUser = new HashMap<>();
        try (RawHttpClient client = proxy.client()) {
            for (int round = 0; round < 2; round++) {
                for (int user = 0; user < 30; user++) {
                    String body = client.exchange("GET / HTTP/1.1\r\nHost: x\r\nX-User: u" + user + "\r\n\r\n").body();
                    String before = serverOfUser.putIfAbsent("u" + user, body);
                    assertThat(before == null || before.equals(body)).as("user u%d stays on one server", user).isTrue();
                }
            }
        }
        // Thirty users on three servers: hashed on the header, not all on the one the client address gives.
        assertThat(Map.copyOf(serverOfUser).values().stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void anHttp10ClientGetsNoInterimResponseAndItsExpectIsNotForwarded() throws Exception {
        ScriptedBackend backend = backend(connection -> {
            String head = connection.readHead();
            heads.add(head);
            connection.write("HTTP/1.1 100 Continue\r\n\r\n");
            String body = connection.readBody(5);
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + body);
        });
        ProxyFixture proxy = proxy(List.of(defaultRoute("s")), pools(poolAtPort("s", "only", backend.port())));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(
                    "PUT /up HTTP/1.0\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
        }
        assertThat(heads).hasSize(1);
        assertThat(heads.get(0).toLowerCase()).doesNotContain("expect");
    }

    @Test
    void anInternalErrorIsAnswered500AndCounted() throws Exception {
        // A passive health sink that throws stands in for a bug on the failure path.
        PassiveHealth broken = new PassiveHealth() {
            @Override
            public void onFailure(Server server, Throwable cause) {
                throw new IllegalStateException("bug in a health sink");
            }

            @Override
            public void onSuccess(Server server) {
            }
        };
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("s")),
                pools(poolAtPort("s", "gone", closedPort)), broken));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/a", "x"));
            assertThat(response.status()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("internal error\n");
        }
        assertThat(proxy.registry.get("fulcrum.http.internal.errors").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aRefusedUploadIsAnsweredReadablyThoughTheClientKeepsSending() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        HttpEdgeConfig edge = new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, new ListenerLimits(
                ListenerLimits.DEFAULT_REQUEST_LINE, ListenerLimits.DEFAULT_HEADER_BLOCK, ListenerLimits.DEFAULT_HEADERS,
                1024, 0));
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("web")),
                pools(ProxyFixture.pool("web", web)), PassiveHealth.NONE, edge));

        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // Like most clients: the whole request goes out before the answer is read. The proxy
            // answered 413 at the head; closed at once, its unread bytes would reset the
            // connection and this write (or the read after it) would fail.
            out.write("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[64 * 1024];
            for (int i = 0; i < 1024; i++) {
                out.write(block);
            }
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("request body too large");
        }
    }

    @Test
    void bytesSentRightBehindAnUpgradeRequestReachTheBackendThroughTheTunnel() throws Exception {
        ScriptedBackend backend = backend(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
            String early = connection.readBody(4);
            connection.write(early.equals("PING") ? "PONG" : "????");
        });
        ProxyFixture proxy = proxy(List.of(defaultRoute("s")), pools(poolAtPort("s", "only", backend.port())));

        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                    + "PING").getBytes(StandardCharsets.ISO_8859_1));
            String all = readUntil(socket.getInputStream(), "\r\n\r\n", 4);
            assertThat(all).startsWith("HTTP/1.1 101").endsWith("PONG");
        }
    }

    @Test
    void aBufferedUploadHoldsNoBackendConnectionWhileItArrives() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(List.of(defaultRoute("web")), pools(ProxyFixture.pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
            // Half the body is in; the other half comes later. No server is chosen yet.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> web.connections.get() == 0);
            Response response = client.exchange("world");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("helloworld");
        }
        assertThat(web.connections.get()).isEqualTo(1);
    }

    @Test
    void overlongChunkExtensionsAndTrailersAre400NotUriTooLong() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(List.of(defaultRoute("web")), pools(ProxyFixture.pool("web", web)));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=" + "e".repeat(ListenerLimits.DEFAULT_REQUEST_LINE + 10) + "\r\nhello\r\n0\r\n\r\n");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("chunk extension");
        }
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nX-Trailer: " + "t".repeat(ListenerLimits.DEFAULT_HEADER_BLOCK + 10)
                    + "\r\n\r\n");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("trailer");
        }
        assertThat(web.receivedRequests()).isEmpty();
    }

    /** Reads until {@code marker}, then {@code more} bytes after it. */
    private static String readUntil(InputStream in, String marker, int more) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int after = -1;
        for (int i = 0; i < 64 * 1024; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            seen.write(b);
            if (after < 0 && seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
                after = 0;
            } else if (after >= 0 && ++after == more) {
                break;
            }
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }
}
