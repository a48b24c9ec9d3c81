package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backpressure per HTTP/2 stream: a stream whose client reads nothing holds its backend to
 * about its window (the proxy reads the backend only while the stream is writable), and the
 * other streams of the connection go on meanwhile.
 */
class Http2BackpressureTest {

    private static final long SIZE = 32L * 1024 * 1024;
    /** The stream's window, the proxy's buffers and both sockets' buffers: far less than the body. */
    private static final long STALL_BOUND = SIZE / 4;

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void aStalledStreamHoldsItsBackendAndTheOtherStreamsGoOn() throws Exception {
        TestBackend backend = resources.closing(new TestBackend("big"));
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(defaultRoute("big")), pools(pool("big", backend))));

        try (H2TestClient client = new H2TestClient(proxy.address())) {
            H2TestClient.Stalled stalled = client.sendStalled(H2TestClient.get("/download?size=" + SIZE, "x"));
            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                long now = backend.downloadBytesQueued.get();
                return now > 0 && now == lastSeen.getAndSet(now);
            });
            assertThat(backend.downloadBytesQueued.get()).as("bytes the backend got out while the stream read nothing")
                    .isLessThan(STALL_BOUND);

            // Another stream of the same connection is not held up by the stalled one.
            for (int i = 0; i < 3; i++) {
                H2TestClient.Response other = client.exchange(H2TestClient.get("/small", "x"));
                assertThat(other.status()).isEqualTo(200);
                assertThat(other.text()).isEqualTo("big");
            }

            stalled.resume();
            H2TestClient.Response whole = stalled.answer().get(60, TimeUnit.SECONDS);
            assertThat(whole.status()).isEqualTo(200);
            assertThat(whole.body().length).isEqualTo(SIZE);
        }
        assertThat(proxy.registry.find("fulcrum.http2.flow.control.stalls").counter().count()).isPositive();
    }
}
