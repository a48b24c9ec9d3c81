package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams of one connection hand their client context on to later streams: a later stream's
 * response clock still fires at its own route's timeout, after streams whose clocks were armed
 * with the default one and disarmed.
 */
class Http2ContextReuseTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void aReusedContextTimesOutItsOwnExchangeAndServesTheNextOnes() throws Exception {
        TestBackend backend = resources.closing(new TestBackend("web"));
        // Connections complete in the kernel's backlog and are never answered.
        ServerSocket silent = resources.closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        RoutePolicy quick = new RoutePolicy(Duration.ofMillis(300), Optional.empty(), 0, 0);
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(route("slow", pathPrefix("/slow"), "silent", quick), defaultRoute("web")),
                pools(pool("web", backend), poolAtPort("silent", "s1", silent.getLocalPort()))));
        try (H2TestClient client = new H2TestClient(proxy.address())) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 5; i++) {
                    assertThat(get(client, "/x").status()).isEqualTo(200);
                }
                long start = System.nanoTime();
                assertThat(get(client, "/slow").status()).isEqualTo(504);
                // The route's 300 ms, not the default minute of the clocks' earlier exchanges.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    private static H2TestClient.Response get(H2TestClient client, String path) throws Exception {
        return client.send(H2TestClient.get(path, "x"), new byte[0], null).get(20, TimeUnit.SECONDS);
    }
}
