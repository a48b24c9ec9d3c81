package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A request whose end comes as an empty DATA frame after its head (as HTTP/1-to-HTTP/2 proxies send GETs). */
class Http2EmptyBodyTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void aGetEndedByAnEmptyDataFrameIsAnsweredAndNothingLeaks() throws Exception {
        TestBackend backend = resources.closing(new TestBackend("web"));
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(defaultRoute("web")), pools(pool("web", backend))));
        try (H2TestClient client = new H2TestClient(proxy.address())) {
            for (int i = 0; i < 20; i++) {
                H2TestClient.Response answer = client.send(H2TestClient.get("/x", "x"), new byte[0], null)
                        .get(10, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
            }
        }
    }
}
