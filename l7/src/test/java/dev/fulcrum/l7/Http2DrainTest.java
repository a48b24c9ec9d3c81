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
import dev.fulcrum.lbcore.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A stopping listener drains its HTTP/2 connections: two GOAWAYs, streams in flight finish, then close. */
class Http2DrainTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void twoGoAwaysThenTheStreamInFlightFinishesAndTheConnectionCloses() throws Exception {
        H2TestBackend backend = resources.closing(new H2TestBackend("h2"));
        UpstreamConfig h2 = new UpstreamConfig(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_IDLE, Optional.empty(),
                UpstreamConfig.DEFAULT_MAX_PENDING, UpstreamConfig.DEFAULT_QUEUE_TIMEOUT, Optional.empty(),
                UpstreamProtocol.HTTP2, UpstreamHttp2Config.DEFAULTS);
        PoolConfig pool = new PoolConfig("web", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(new ServerConfig("h2", new Endpoint("127.0.0.1", backend.port()), ServerConfig.DEFAULT_WEIGHT,
                        0, Location.NONE)), Location.NONE, h2, HashOn.SOURCE);
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(defaultRoute("web")), pools(pool)));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            assertThat(client.exchange(H2TestClient.get("/named", "x")).status()).isEqualTo(200);
            CompletableFuture<H2TestClient.Response> inFlight =
                    client.send(H2TestClient.get("/slow?ms=2000", "x"), null, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.streams.get() == 2);

            proxy.listener.drain(Duration.ofSeconds(20));

            await().atMost(Duration.ofSeconds(10)).until(() -> client.goAways.size() >= 2);
            List<H2TestClient.GoAway> goAways = List.copyOf(client.goAways);
            assertThat(goAways.get(0).lastStreamId()).as("first: every stream id still welcome")
                    .isEqualTo(Integer.MAX_VALUE);
            // The client's two streams are its first two identifiers (Netty's client starts at 3).
            assertThat(goAways.get(1).lastStreamId()).as("second: the last stream taken").isBetween(3, 5)
                    .isLessThan(Integer.MAX_VALUE);
            assertThat(goAways).allSatisfy(g -> assertThat(g.errorCode()).isZero());

            H2TestClient.Response finished = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(finished.status()).isEqualTo(200);
            assertThat(finished.text()).isEqualTo("h2");
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.isOpen());
        }
    }
}
