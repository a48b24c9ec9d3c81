package dev.fulcrum.l4;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.lbcore.health.PassiveHealth;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
