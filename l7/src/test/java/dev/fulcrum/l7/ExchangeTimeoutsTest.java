package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Once an exchange runs, something still times out on every side: a silent server
 * (response_idle), a client that reads nothing (client_write), an idle tunnel (tunnel_idle) and
 * a body that trickles in (min_body_rate).
 */
class ExchangeTimeoutsTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(30);

    private ScriptedBackend backend;
    private ProxyFixture proxy;
    private final CountDownLatch backendSawClose = new CountDownLatch(1);

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private void start(ScriptedBackend.Script script, RoutePolicy policy, ListenerTimeouts timeouts,
                       long minBodyRate) throws Exception {
        backend = resources.closing(new ScriptedBackend(script));
        HttpEdgeConfig edge = new HttpEdgeConfig(timeouts, new ListenerLimits(ListenerLimits.DEFAULT_REQUEST_LINE,
                ListenerLimits.DEFAULT_HEADER_BLOCK, ListenerLimits.DEFAULT_HEADERS, ListenerLimits.DEFAULT_REQUEST_BODY,
                minBodyRate));
        proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(route("default", MatchConfig.ANY, "s", policy)),
                pools(poolAtPort("s", "scripted", backend.port())), PassiveHealth.NONE, edge));
    }

    private static RoutePolicy responseIdle(Duration idle) {
        return new RoutePolicy(LONG, Optional.empty(), 0, 0, idle, 0);
    }

    private static ListenerTimeouts clientTimeouts(Duration body, Duration clientWrite, Duration tunnelIdle) {
        return new ListenerTimeouts(LONG, body, LONG, clientWrite, tunnelIdle);
    }

    @Test
    void aServerSilentBeforeItsResponseHeadGets504AfterResponseIdle() throws Exception {
        start(connection -> {
            connection.readHead();
            connection.isClosed();
        }, responseIdle(SHORT), ListenerTimeouts.DEFAULTS, 0);

        try (RawHttpClient client = proxy.client()) {
            RawHttpClient.Response response = client.exchange(get("/slow", "x"));
            assertThat(response.status()).isEqualTo(504);
            assertThat(response.body()).isEqualTo("upstream idle timeout\n");
        }
    }

    @Test
    void aServerSilentMidResponseHasTheClientConnectionCut() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            // Silent, and holding the connection open, far past the client's read timeout.
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, responseIdle(SHORT), ListenerTimeouts.DEFAULTS, 0);

        try (RawHttpClient client = proxy.client()) {
            client.send(get("/stalls", "x"));
            assertThat(client.readHead().status()).isEqualTo(200);
            assertThat(client.readChunk()).isEqualTo("hello");
            assertThat(client.readRemaining()).doesNotContain("0\r\n\r\n");
        } finally {
            done.countDown();
        }
    }

    @Test
    void aClientThatReadsNothingIsClosedAfterClientWriteAndItsBackendConnectionReleased() throws Exception {
        AtomicBoolean stillWriting = new AtomicBoolean(true);
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
            String block = "x".repeat(64 * 1024);
            try {
                // Bounded: 1 GiB at most, long past any socket buffer.
                for (int i = 0; i < 16 * 1024 && stillWriting.get(); i++) {
                    connection.write(block);
                }
            } catch (java.io.IOException e) {
                backendSawClose.countDown();
            }
        }, RoutePolicy.DEFAULTS, clientTimeouts(LONG, SHORT, LONG), 0);

        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setReceiveBufferSize(4096);
            socket.getOutputStream().write(get("/big", "x").getBytes(StandardCharsets.ISO_8859_1));
            // Never read: the proxy must give up on this client and let the backend go.
            assertThat(backendSawClose.await(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            stillWriting.set(false);
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterTunnelIdle() throws Exception {
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            if (connection.isClosed()) {
                backendSawClose.countDown();
            }
        }, RoutePolicy.DEFAULTS, clientTimeouts(LONG, LONG, SHORT), 0);

        try (RawHttpClient client = proxy.client()) {
            client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(client.readHead().status()).isEqualTo(101);
            assertThat(client.isClosedByPeer()).isTrue();
        }
        assertThat(backendSawClose.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBodyTricklingInBelowMinBodyRateGets408ThoughNoGapIsLong() throws Exception {
        start(connection -> {
            connection.readHead();
            connection.isClosed();
        }, new RoutePolicy(LONG, Optional.empty(), 0, 0, LONG, RoutePolicy.DEFAULT_BUFFER_REQUEST),
                clientTimeouts(SHORT, LONG, LONG), 1000);

        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            // One byte every 100 ms: each gap is under the 300 ms body timeout, the rate 10 B/s.
            String answer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 100 && System.nanoTime() < deadline && answer == null; i++) {
                try {
                    out.write('a');
                    out.flush();
                } catch (java.io.IOException e) {
                    break;
                }
                await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofMillis(200)).until(() -> true);
                if (in.available() > 0) {
                    answer = new String(in.readNBytes(in.available()), StandardCharsets.ISO_8859_1);
                }
            }
            if (answer == null) {
                answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            }
            assertThat(answer).startsWith("HTTP/1.1 408");
        }
    }
}
