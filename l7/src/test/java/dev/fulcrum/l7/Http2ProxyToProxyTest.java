package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
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
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fulcrum in front of Fulcrum over h2c: the second one's HTTP/2 frontend serves the first one's HTTP/2 pool. */
class Http2ProxyToProxyTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void requestsGoThroughBothAndTheBackendSeesHowTheyCame() throws Exception {
        TestBackend backend = resources.closing(new TestBackend("web"));
        ProxyFixture inner = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 2),
                List.of(defaultRoute("web")), pools(pool("web", backend)), dev.fulcrum.lbcore.health.PassiveHealth.NONE,
                dev.fulcrum.config.ForwardingConfig.DEFAULTS, Optional.of(new dev.fulcrum.config.AccessLogConfig(
                        dev.fulcrum.config.AccessLogConfig.Format.JSON, Optional.of(java.nio.file.Files.createTempFile("access", ".log"))))));
        UpstreamConfig h2 = new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(),
                UpstreamConfig.DEFAULT_MAX_PENDING, UpstreamConfig.DEFAULT_QUEUE_TIMEOUT, Optional.empty(),
                UpstreamProtocol.HTTP2, UpstreamHttp2Config.DEFAULTS);
        PoolConfig toInner = new PoolConfig("inner", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(new ServerConfig("inner", new Endpoint("127.0.0.1", inner.address().getPort()),
                        ServerConfig.DEFAULT_WEIGHT, 0, Location.NONE)), Location.NONE, h2, HashOn.SOURCE);
        ProxyFixture front = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 2),
                List.of(defaultRoute("inner")), pools(toInner)));

        for (int i = 0; i < 3; i++) {
            try (RawHttpClient client = front.client()) {
                RawHttpClient.Response response = client.exchange("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("web");
            }
        }
        assertThat(backend.receivedRequests().get(0).headers().get("Via")).isEqualTo("1.1 fulcrum, 2 fulcrum");
        // The second one drains: its GOAWAY retires the first one's connection, which closes.
        assertThat(inner.listener.drain(java.time.Duration.ofSeconds(10)).await(15, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        Http2EmptyBodyTest.collectGarbage();
    }
}
