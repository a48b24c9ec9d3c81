package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.pool.Server;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backend whose response is broken or overlong must not pass as a clean one: the client sees
 * the breakage, the server is reported, and the connection never goes back to the pool to
 * hand its leftovers to the next client.
 */
class UpstreamFramingDefectsTest {

    private static final String OK_2 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final PassiveHealth health = new PassiveHealth() {
        @Override
        public void onFailure(Server server, Throwable cause) {
            failures.add(server.name());
        }

        @Override
        public void onSuccess(Server server) {
        }
    };
    private ScriptedBackend backend;
    private ProxyFixture proxy;

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    /** The first connection answers its first request with {@code first}; every other request gets 200 "ok". */
    private void start(String first, boolean closeAfterFirst) throws Exception {
        backend = resources.closing(new ScriptedBackend(connection -> {
            boolean firstConnection = connections.incrementAndGet() == 1;
            boolean answered = false;
            while (connection.readHead() != null) {
                if (firstConnection && !answered) {
                    connection.write(first);
                    answered = true;
                    if (closeAfterFirst) {
                        return;
                    }
                } else {
                    connection.write(OK_2);
                }
            }
        }));
        proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1), List.of(defaultRoute("s")),
                pools(poolAtPort("s", "scripted", backend.port())), health));
    }

    /** The client gets the head and "hello", then the connection ends with no final chunk; the server is reported. */
    private void assertCutShortAfterHelloAndReported() throws Exception {
        try (RawHttpClient client = proxy.client()) {
            client.send(get("/a", "x"));
            assertThat(client.readHead().status()).isEqualTo(200);
            assertThat(client.readChunk()).isEqualTo("hello");
            assertThat(client.readRemaining()).doesNotContain("0\r\n\r\n");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> failures.contains("scripted"));
    }

    @Test
    void aMalformedChunkCutsTheClientOffAndReportsTheServer() throws Exception {
        start("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n", false);

        assertCutShortAfterHelloAndReported();
        // The broken connection was closed, not pooled: the next request opens another and is answered.
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/b", "x")).body()).isEqualTo("ok");
        }
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void aChunkedBodyCutShortByACloseIsNotPassedOffAsComplete() throws Exception {
        start("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nwo", true);

        assertCutShortAfterHelloAndReported();
    }

    @Test
    void bytesBeyondTheContentLengthCloseTheConnectionInsteadOfReachingTheNextClient() throws Exception {
        start("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE", false);

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/a", "x")).body()).isEqualTo("ok");
        }
        try (RawHttpClient other = proxy.client()) {
            RawHttpClient.Response next = other.exchange(get("/b", "x"));
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("ok");
        }
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void bytesOnAnIdleConnectionCloseIt() throws Exception {
        start(OK_2 + "X", false);

        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(get("/a", "x")).body()).isEqualTo("ok");
            RawHttpClient.Response next = client.exchange(get("/b", "x"));
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("ok");
        }
        assertThat(connections.get()).isEqualTo(2);
    }
}
