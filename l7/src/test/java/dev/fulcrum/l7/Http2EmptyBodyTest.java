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
        collectGarbage();
    }

    /** content-length: 0 says there is no body, but the stream still ends with a DATA frame. */
    @Test
    void aZeroContentLengthBeforeAnEmptyDataFrameLeaksNothing() throws Exception {
        TestBackend backend = resources.closing(new TestBackend("web"));
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(defaultRoute("web")), pools(pool("web", backend))));
        try (H2TestClient client = new H2TestClient(proxy.address())) {
            for (int i = 0; i < 20; i++) {
                H2TestClient.Response answer = client.send(H2TestClient.get("/x", "x").add("content-length", "0"),
                        new byte[0], null).get(10, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
            }
        }
        collectGarbage();
    }

    /** Has the collector run, so the leak detector sees what was dropped without a release. */
    static void collectGarbage() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            // The detector reports what the collector found when buffers are next allocated.
            for (int j = 0; j < 100; j++) {
                io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
    }
}
