package dev.fulcrum.l4;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.testing.LeakReports;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TLS passthrough: the ClientHello's server name chooses the pool, and every byte passes untouched. */
class SniRoutingTest {

    /** A backend that answers with its name once the client's FIN arrived, and keeps what it got. */
    private static final class NamedBackend implements AutoCloseable {
        final SocketBackend socket;
        final CompletableFuture<byte[]> received = new CompletableFuture<>();

        NamedBackend(String name) throws Exception {
            socket = new SocketBackend(s -> {
                received.complete(s.getInputStream().readAllBytes());
                s.getOutputStream().write(name.getBytes(US_ASCII));
            });
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private NamedBackend a;
    private NamedBackend wild;
    private NamedBackend plain;

    @BeforeEach
    void start() throws Exception {
        LeakReports.reset();
        a = closing(new NamedBackend("a"));
        wild = closing(new NamedBackend("wild"));
        plain = closing(new NamedBackend("plain"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        LeakReports.assertNone();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    private L4Fixture proxy(boolean withDefault) throws Exception {
        String yaml = "listeners:\n"
                + "  - name: tcp\n    bind: 127.0.0.1:0\n    protocol: tcp\n"
                + (withDefault ? "    pool: plain\n" : "")
                + "    routes:\n"
                + "      - {name: a, match: {sni: a.example.com}, pool: a}\n"
                + "      - {name: wild, match: {sni: \"*.wild.example\"}, pool: wild}\n"
                + "pools:\n"
                + pool("a", a) + pool("wild", wild) + pool("plain", plain);
        return closing(new L4Fixture(yaml, PassiveHealth.NONE));
    }

    private static String pool(String name, NamedBackend backend) {
        return "  " + name + ": {servers: [{name: " + name + "-1, address: 127.0.0.1:" + backend.socket.port() + "}]}\n";
    }

    @Test
    void theServerNameChoosesThePoolAndTheBytesPassUntouched() throws Exception {
        L4Fixture proxy = proxy(true);
        byte[] hello = clientHello("a.example.com");
        assertThat(exchange(proxy, hello)).isEqualTo("a");
        assertThat(a.received.get(10, TimeUnit.SECONDS)).isEqualTo(concat(hello, "after the hello"));
        proxy.awaitNothingOpen();
    }

    @Test
    void aWildcardRouteMatchesNamesUnderItsSuffixOnly() throws Exception {
        L4Fixture proxy = proxy(true);
        assertThat(exchange(proxy, clientHello("api.eu.wild.example"))).isEqualTo("wild");
        assertThat(exchange(proxy, clientHello("wild.example"))).as("the suffix itself").isEqualTo("plain");
        proxy.awaitNothingOpen();
    }

    @Test
    void noServerNameOrNoTlsGoesToTheListenersPool() throws Exception {
        L4Fixture proxy = proxy(true);
        byte[] anonymous = clientHello(null);
        assertThat(exchange(proxy, anonymous)).isEqualTo("plain");
        assertThat(plain.received.get(10, TimeUnit.SECONDS)).isEqualTo(concat(anonymous, "after the hello"));
        proxy.awaitNothingOpen();
    }

    @Test
    void plainTextIsPassedToTheListenersPoolToo() throws Exception {
        L4Fixture proxy = proxy(true);
        byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII);
        assertThat(exchange(proxy, request)).isEqualTo("plain");
        assertThat(plain.received.get(10, TimeUnit.SECONDS)).isEqualTo(concat(request, "after the hello"));
        proxy.awaitNothingOpen();
    }

    @Test
    void anUnknownNameWithoutADefaultPoolIsRefused() throws Exception {
        L4Fixture proxy = proxy(false);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(clientHello("elsewhere.example.org"));
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        proxy.awaitNothingOpen();
        assertThat(proxy.refused(MetricNames.REFUSED_NO_ROUTE)).isEqualTo(1);
        assertThat(a.socket.accepted() + wild.socket.accepted() + plain.socket.accepted()).isZero();
    }

    @Test
    void aHelloInPiecesIsAwaitedWhole() throws Exception {
        L4Fixture proxy = proxy(true);
        byte[] hello = clientHello("a.example.com");
        try (Socket client = proxy.connect()) {
            client.setTcpNoDelay(true);
            client.getOutputStream().write(hello, 0, 20);
            client.getOutputStream().flush();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                    .until(() -> a.socket.accepted() + plain.socket.accepted() == 0);
            client.getOutputStream().write(hello, 20, hello.length - 20);
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("a");
        }
        assertThat(a.received.get(10, TimeUnit.SECONDS)).isEqualTo(hello);
        proxy.awaitNothingOpen();
    }

    /** Sends these bytes and a tail, half-closes, and returns what came back: the backend's name. */
    private static String exchange(L4Fixture proxy, byte[] first) throws Exception {
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(first);
            client.getOutputStream().write("after the hello".getBytes(US_ASCII));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), US_ASCII);
        }
    }

    private static byte[] concat(byte[] head, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        out.writeBytes(tail.getBytes(US_ASCII));
        return out.toByteArray();
    }

    /** The first flight of a real TLS client (JDK), with that server name or none. */
    static byte[] clientHello(String serverName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = serverName == null ? context.createSSLEngine() : context.createSSLEngine(serverName, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }
}
