package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.config.UpstreamHttp2Config;
import dev.fulcrum.config.UpstreamProtocol;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.lbcore.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pools with {@code protocol: http2}: requests of HTTP/1 and HTTP/2 clients as streams of h2c connections. */
class Http2UpstreamTest {

    private static final Setup ONE_LOOP = new Setup(Transport.NIO, 1);

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private static UpstreamConfig h2(UpstreamHttp2Config http2) {
        return new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT, UpstreamConfig.DEFAULT_IDLE_TIMEOUT,
                UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(), UpstreamConfig.DEFAULT_MAX_PENDING,
                UpstreamConfig.DEFAULT_QUEUE_TIMEOUT, Optional.empty(), UpstreamProtocol.HTTP2, http2);
    }

    private static UpstreamHttp2Config withMaxRequests(int maxRequests) {
        UpstreamHttp2Config d = UpstreamHttp2Config.DEFAULTS;
        return new UpstreamHttp2Config(d.maxConcurrentStreams(), d.initialWindow(), d.connectionWindow(),
                d.maxHeaderList(), maxRequests, d.pingInterval(), d.pingTimeout());
    }

    private static PoolConfig h2Pool(UpstreamConfig upstream, int maxConnections, H2TestBackend... backends) {
        List<ServerConfig> servers = new ArrayList<>();
        for (H2TestBackend backend : backends) {
            servers.add(new ServerConfig(backend.name(), new Endpoint("127.0.0.1", backend.port()),
                    ServerConfig.DEFAULT_WEIGHT, maxConnections, Location.NONE));
        }
        return new PoolConfig("web", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(), servers, Location.NONE,
                upstream, HashOn.SOURCE);
    }

    private ProxyFixture proxy(PoolConfig pool) throws Exception {
        return closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("web")), pools(pool)));
    }

    @Test
    void http1ClientsAreServedOverOneHttp2ConnectionPerLoop() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend));

        for (int i = 0; i < 5; i++) {
            try (RawHttpClient client = proxy.client()) {
                Response response = client.exchange("GET /named HTTP/1.1\r\nHost: shop.example\r\n\r\n");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("h2-a");
            }
        }
        assertThat(backend.connections.get()).isEqualTo(1);
        assertThat(backend.streams.get()).isEqualTo(5);
        H2TestBackend.Received first = backend.receivedRequests().get(0);
        assertThat(first.headers().authority().toString()).isEqualTo("shop.example");
        assertThat(first.headers().scheme().toString()).isEqualTo("http");
        assertThat(first.headers().contains("host")).isFalse();
        assertThat(first.headers().names().stream().map(CharSequence::toString)).noneMatch(n -> n.startsWith("x-http2-"));
    }

    @Test
    void aChunkedRequestBodyGoesToAnHttp2ServerAndItsAnswerComesBack() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend));

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello world");
        }
    }

    @Test
    void http2ClientsGetTrailersAndTrailersOnlyAnswersEndToEnd() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            H2TestClient.Response echoed = client.send(H2TestClient.post("/echo", "x").add("te", "trailers"),
                    "ping".getBytes(), null).get(10, TimeUnit.SECONDS);
            assertThat(echoed.status()).isEqualTo(200);
            assertThat(echoed.text()).isEqualTo("ping");
            assertThat(echoed.trailers()).containsEntry("x-body-bytes", "4");

            H2TestClient.Response trailersOnly = client.exchange(H2TestClient.get("/trailers-only", "x"));
            assertThat(trailersOnly.status()).isEqualTo(200);
            assertThat(trailersOnly.headers()).containsEntry("grpc-status", "14");
            assertThat(trailersOnly.body()).isEmpty();
            assertThat(trailersOnly.resetCode()).isEqualTo(-1);
        }
        assertThat(backend.receivedRequests().get(0).headers().get("te").toString()).isEqualTo("trailers");
    }

    @Test
    void theServersMaxConcurrentStreamsIsObeyedAndAFullConnectionOpensAnother() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a", 2));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 3, backend));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            List<CompletableFuture<H2TestClient.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(client.send(H2TestClient.get("/slow?ms=300", "x"), null, null));
            }
            for (CompletableFuture<H2TestClient.Response> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        }
        assertThat(backend.mostConcurrent.get()).isLessThanOrEqualTo(2);
        assertThat(backend.connections.get()).isEqualTo(3);
    }

    @Test
    void aRefusedStreamIsSentToAnotherServer() throws Exception {
        H2TestBackend refusing = closing(new H2TestBackend("h2-a"));
        H2TestBackend other = closing(new H2TestBackend("h2-b"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, refusing, other));

        // Round robin starts at either: a request that meets the refusal is retried on the other.
        for (int i = 0; i < 2; i++) {
            try (RawHttpClient client = proxy.client()) {
                Response response = client.exchange("GET /refuse HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(response.status()).isEqualTo(502);
            }
        }
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        }
        // Every refused request went to both servers (the route allows one retry).
        assertThat(refusing.streams.get() + other.streams.get()).isEqualTo(5);
    }

    @Test
    void streamsAboveAGoAwaysLastStreamGoAgainOnANewConnection() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend));

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
            // The server answers this stream with a GOAWAY whose last id is below it.
            Response response = client.exchange("GET /goaway HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(response.status()).isEqualTo(502);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.connections.get() >= 2);
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").body()).isEqualTo("h2-a");
        }
    }

    @Test
    void aConnectionIsRetiredAfterMaxRequests() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(withMaxRequests(2)), 0, backend));

        for (int i = 0; i < 5; i++) {
            try (RawHttpClient client = proxy.client()) {
                assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
            }
        }
        assertThat(backend.connections.get()).isEqualTo(3);
    }

    @Test
    void aClientsCancelReachesTheServer() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        // Streaming: the request goes to the server before its body (none comes here).
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(ProxyFixture.streamingRoute("web")),
                pools(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend))));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            assertThat(client.exchange(H2TestClient.get("/named", "x")).status()).isEqualTo(200);
            var stream = client.start(H2TestClient.post("/echo", "x"));
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.streams.get() == 2);
            client.cancel(stream);
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.resetsReceived.get() == 1);
            assertThat(client.exchange(H2TestClient.get("/named", "x")).text()).isEqualTo("h2-a");
        }
    }

    @Test
    void aConnectionSilentToPingsIsClosedAsDead() throws Exception {
        H2TestBackend deaf = closing(new H2TestBackend("h2-a", 100, false));
        UpstreamHttp2Config d = UpstreamHttp2Config.DEFAULTS;
        UpstreamHttp2Config quickPings = new UpstreamHttp2Config(d.maxConcurrentStreams(), d.initialWindow(),
                d.connectionWindow(), d.maxHeaderList(), 0, Duration.ofMillis(200), Duration.ofMillis(300));
        ProxyFixture proxy = proxy(h2Pool(h2(quickPings), 0, deaf));

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> deaf.closedConnections.get() == 1);
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange("GET /named HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        }
        assertThat(deaf.connections.get()).isEqualTo(2);
    }

    @Test
    void aServersResetCodeReachesAnHttp2Client() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2-a"));
        ProxyFixture proxy = proxy(h2Pool(h2(UpstreamHttp2Config.DEFAULTS), 0, backend));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            H2TestClient.Response cut = client.exchange(H2TestClient.get("/reset", "x"));
            assertThat(cut.status()).isEqualTo(200);
            assertThat(cut.resetCode()).as("the server's CANCEL, not a generic error").isEqualTo(8);
        }
    }
}
