package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

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
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a gRPC client hears when the proxy answers itself: trailers-only, with the right grpc-status. */
class GrpcLocalAnswersTest {

    private static final Setup ONE_LOOP = new Setup(Transport.NIO, 1);

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private static UpstreamConfig upstream(UpstreamProtocol protocol) {
        return new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT, UpstreamConfig.DEFAULT_IDLE_TIMEOUT,
                UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(), UpstreamConfig.DEFAULT_MAX_PENDING,
                UpstreamConfig.DEFAULT_QUEUE_TIMEOUT, Optional.empty(), protocol, UpstreamHttp2Config.DEFAULTS);
    }

    private static PoolConfig pool(String name, UpstreamProtocol protocol, int port) {
        return new PoolConfig(name, Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(new ServerConfig(name + "-1", new Endpoint("127.0.0.1", port), ServerConfig.DEFAULT_WEIGHT, 0,
                        Location.NONE)), Location.NONE, upstream(protocol), HashOn.SOURCE);
    }

    private static Http2Headers call(String method) {
        return H2TestClient.post("/grpc.testing.SimpleService/" + method, "x")
                .add("content-type", "application/grpc").add("te", "trailers");
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void noServerUpIsUnavailableAsATrailersOnlyAnswer() throws Exception {
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("grpc")),
                pools(pool("grpc", UpstreamProtocol.HTTP2, unusedPort()))));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            H2TestClient.Response answer = client.exchange(call("UnaryRpc"));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.headers()).containsEntry("grpc-status", "14").containsEntry("content-type",
                    "application/grpc");
            assertThat(answer.headers().get("grpc-message")).contains("upstream connect failed");
            assertThat(answer.body()).isEmpty();
            assertThat(answer.trailers()).isEmpty();
        }
        // Counted for what it stands for, not as a 200.
        assertThat(proxy.registry.find("fulcrum.http.requests").tag("code", "5xx").counter()).isNotNull();
    }

    @Test
    void aGrpcCallToAnHttp1PoolIsUnavailableAndSaysWhy() throws Exception {
        TestBackend http1 = closing(new TestBackend("web"));
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("web")),
                pools(ProxyFixture.pool("web", http1))));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            H2TestClient.Response answer = client.exchange(call("UnaryRpc"));
            assertThat(answer.headers()).containsEntry("grpc-status", "14");
            assertThat(answer.headers().get("grpc-message")).contains("HTTP/1.1").contains("http2");
        }
        assertThat(http1.receivedRequests()).isEmpty();
    }

    @Test
    void noRouteIsUnimplemented() throws Exception {
        H2TestBackend backend = closing(new H2TestBackend("h2"));
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(route("only", pathPrefix("/other/"), "grpc")),
                pools(pool("grpc", UpstreamProtocol.HTTP2, backend.port()))));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            assertThat(client.exchange(call("UnaryRpc")).headers()).containsEntry("grpc-status", "12");
        }
        Counter unimplemented = proxy.registry.find("fulcrum.grpc.responses").tag("grpc_status", "12").counter();
        assertThat(unimplemented).isNotNull();
        assertThat(unimplemented.count()).isEqualTo(1);
    }

    @Test
    void aPassedGrpcTimeoutIsDeadlineExceededAndNotTheServersFault() throws Exception {
        H2TestBackend slow = closing(new H2TestBackend("h2"));
        AtomicInteger failures = new AtomicInteger();
        PassiveHealth health = new PassiveHealth() {
            @Override
            public void onFailure(Server server, Throwable cause) {
                failures.incrementAndGet();
            }

            @Override
            public void onSuccess(Server server) {
            }
        };
        ProxyFixture proxy = closing(new ProxyFixture(ONE_LOOP, List.of(defaultRoute("grpc")),
                pools(pool("grpc", UpstreamProtocol.HTTP2, slow.port())), health));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            Http2Headers headers = H2TestClient.get("/slow?ms=3000", "x").add("content-type", "application/grpc")
                    .add("grpc-timeout", "200m");
            H2TestClient.Response answer = client.exchange(headers);
            assertThat(answer.headers()).containsEntry("grpc-status", "4");
        }
        assertThat(failures.get()).isZero();
    }

    @Test
    void grpcMessagesArePercentEncoded() {
        assertThat(GrpcStatus.percentEncoded("no server: 100% down ü")).isEqualTo("no server: 100%25 down %C3%BC");
        assertThat(GrpcStatus.timeoutNanos("200m")).isEqualTo(200_000_000L);
        assertThat(GrpcStatus.timeoutNanos("1H")).isEqualTo(3_600_000_000_000L);
        assertThat(GrpcStatus.timeoutNanos("123456789S")).isEqualTo(-1);
        assertThat(GrpcStatus.timeoutNanos("5x")).isEqualTo(-1);
    }
}
