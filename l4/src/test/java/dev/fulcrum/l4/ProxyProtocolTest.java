package dev.fulcrum.l4;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.testing.LeakReports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyProtocolTest {

    /** What the backend decoded: the header's fields and the bytes that followed it. */
    record Seen(HAProxyProtocolVersion version, HAProxyProxiedProtocol protocol, String source, int sourcePort,
                String destination, int destinationPort, String payload) {
    }

    private SocketBackend backend;
    private L4Fixture proxy;

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void close() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        LeakReports.assertNone();
    }

    @ParameterizedTest
    @CsvSource({"v1, V1", "v2, V2"})
    void theBackendLearnsTheClientAddress(String configured, HAProxyProtocolVersion expected) throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        backend = new SocketBackend(socket -> seen.complete(decode(socket.getInputStream())));
        proxy = new L4Fixture(L4Fixture.config("proxy_protocol: " + configured, "", backend.port()), PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write("hello".getBytes(US_ASCII));
            client.shutdownOutput();
            Seen header = seen.get(10, TimeUnit.SECONDS);
            assertThat(header.version()).isEqualTo(expected);
            assertThat(header.protocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(header.source()).isEqualTo("127.0.0.1");
            assertThat(header.sourcePort()).isEqualTo(client.getLocalPort());
            assertThat(header.destination()).isEqualTo("127.0.0.1");
            assertThat(header.destinationPort()).isEqualTo(proxy.listener.localAddress().getPort());
            assertThat(header.payload()).isEqualTo("hello");
        }
        proxy.awaitNothingOpen();
    }

    @ParameterizedTest
    @CsvSource({"v1", "v2"})
    void aTrustedBalancersHeaderNamesTheClient(String incoming) throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        backend = new SocketBackend(socket -> seen.complete(decode(socket.getInputStream())));
        proxy = new L4Fixture(L4Fixture.config("proxy_protocol: v2, accept_proxy_protocol: [127.0.0.0/8]", "",
                backend.port()), PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(header(incoming, "203.0.113.7", 40000, "198.51.100.1", 5432));
            client.getOutputStream().write("payload".getBytes(US_ASCII));
            client.shutdownOutput();
            Seen header = seen.get(10, TimeUnit.SECONDS);
            assertThat(header.source()).isEqualTo("203.0.113.7");
            assertThat(header.sourcePort()).isEqualTo(40000);
            assertThat(header.destination()).isEqualTo("198.51.100.1");
            assertThat(header.destinationPort()).isEqualTo(5432);
            assertThat(header.payload()).as("the incoming header is consumed, not relayed").isEqualTo("payload");
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aHeaderFromAnUntrustedPeerIsJustData() throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        backend = new SocketBackend(socket -> seen.complete(decode(socket.getInputStream())));
        proxy = new L4Fixture(L4Fixture.config("proxy_protocol: v1, accept_proxy_protocol: [10.0.0.0/8]", "",
                backend.port()), PassiveHealth.NONE);
        byte[] spoofed = header("v1", "203.0.113.7", 40000, "198.51.100.1", 5432);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(spoofed);
            client.shutdownOutput();
            Seen header = seen.get(10, TimeUnit.SECONDS);
            assertThat(header.source()).isEqualTo("127.0.0.1");
            assertThat(header.payload()).isEqualTo(new String(spoofed, US_ASCII));
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aTrustedPeerWithoutAValidHeaderIsRefused() throws Exception {
        backend = SocketBackend.echo();
        proxy = new L4Fixture(L4Fixture.config("accept_proxy_protocol: [127.0.0.1]", "", backend.port()),
                PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        proxy.awaitNothingOpen();
        assertThat(proxy.refused(MetricNames.REFUSED_BAD_PROXY_HEADER)).isEqualTo(1);
        assertThat(backend.accepted()).isZero();
    }

    @Test
    void aLocalHeaderKeepsTheSocketAddresses() throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        backend = new SocketBackend(socket -> seen.complete(decode(socket.getInputStream())));
        proxy = new L4Fixture(L4Fixture.config("proxy_protocol: v1, accept_proxy_protocol: [127.0.0.0/8]", "",
                backend.port()), PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            // A balancer's own health check: v2 LOCAL, no addresses.
            client.getOutputStream().write(encode(new HAProxyMessage(HAProxyProtocolVersion.V2,
                    HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)));
            client.getOutputStream().write("ok".getBytes(US_ASCII));
            client.shutdownOutput();
            Seen header = seen.get(10, TimeUnit.SECONDS);
            assertThat(header.source()).isEqualTo("127.0.0.1");
            assertThat(header.sourcePort()).isEqualTo(client.getLocalPort());
            assertThat(header.payload()).isEqualTo("ok");
        }
        proxy.awaitNothingOpen();
    }

    /** A PROXY header as a balancer in front would send it. */
    private static byte[] header(String version, String source, int sourcePort, String destination,
                                 int destinationPort) {
        return encode(new HAProxyMessage(version.equals("v1") ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                source, destination, sourcePort, destinationPort));
    }

    private static byte[] encode(HAProxyMessage message) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(message);
        ByteBuf encoded = encoder.readOutbound();
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        encoded.release();
        encoder.finishAndReleaseAll();
        return bytes;
    }

    /** Feeds the socket's bytes to Netty's decoder until the client's FIN. */
    private static Seen decode(InputStream in) throws Exception {
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        HAProxyMessage header = null;
        StringBuilder payload = new StringBuilder();
        try {
            byte[] chunk = new byte[4096];
            for (int n; (n = in.read(chunk)) >= 0; ) {
                decoder.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
                for (Object msg; (msg = decoder.readInbound()) != null; ) {
                    if (msg instanceof HAProxyMessage message && header == null) {
                        header = message;
                    } else {
                        ByteBuf data = (ByteBuf) msg;
                        payload.append(data.toString(US_ASCII));
                        data.release();
                    }
                }
            }
            assertThat(header).as("PROXY header").isNotNull();
            return new Seen(header.protocolVersion(), header.proxiedProtocol(), header.sourceAddress(),
                    header.sourcePort(), header.destinationAddress(), header.destinationPort(), payload.toString());
        } finally {
            if (header != null) {
                header.release();
            }
            decoder.finishAndReleaseAll();
        }
    }
}
