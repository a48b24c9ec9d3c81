package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.config.UpstreamTls;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS to servers: the chain is verified against the pool's CA bundle and must name the server. */
class ClientTlsTest {

    @TempDir
    Path dir;

    private final TestPki.Issued ca = TestPki.ca("Backend CA");
    private Path bundle;
    private ServerTls serverTls;
    private TlsServer server;
    private NettyClient netty;

    @BeforeEach
    void start() throws Exception {
        LeakReports.reset();
        bundle = TestPki.writeCerts(dir.resolve("backend-ca.pem"), ca.cert());
        // The default certificate names another host: only SNI gets the backend's.
        CertificateConfig fallback = TestPki.files(dir, "fallback", TestPki.leaf(ca, "fallback", "fallback.test"));
        CertificateConfig backend = TestPki.files(dir, "backend", TestPki.leaf(ca, "backend", "backend.test"));
        serverTls = ServerTls.build("backend", List.of(fallback, backend), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
        server = new TlsServer(serverTls);
        netty = new NettyClient();
    }

    @AfterEach
    void stop() {
        netty.close();
        server.close();
        serverTls.close();
        LeakReports.assertNone();
    }

    private String connect(ClientTls tls, String host) throws Exception {
        try (NettyClient.Connection c = netty.connect(server.port(), ch -> tls.newHandler(ch.alloc(), host,
                server.port()))) {
            return ((X509Certificate) c.ssl().engine().getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void verifiesTheChainAndTheHostName(SslProvider provider) throws Exception {
        ClientTls tls = ClientTls.build(new UpstreamTls(Optional.of(bundle), Optional.empty(), true), provider);
        assertThat(connect(tls, "backend.test")).isEqualTo("CN=backend");
        // The server answers an unknown name with its default certificate, which names another host.
        assertThatThrownBy(() -> connect(tls, "wrong.test")).hasMessage("handshake failed");
    }

    @Test
    void theSniSettingIsSentAndVerifiedInsteadOfTheHost() throws Exception {
        ClientTls tls = ClientTls.build(new UpstreamTls(Optional.of(bundle), Optional.of("backend.test"), true));
        assertThat(connect(tls, "127.0.0.1")).isEqualTo("CN=backend");
    }

    @Test
    void withoutACaBundleTheJdkTrustStoreDoesNotKnowOurCa() throws Exception {
        ClientTls tls = ClientTls.build(new UpstreamTls(Optional.empty(), Optional.empty(), true));
        assertThatThrownBy(() -> connect(tls, "backend.test")).hasMessage("handshake failed");
    }

    @Test
    void verifyFalseAcceptsAnyCertificateAndSaysSo() throws Exception {
        try (LogCapture log = new LogCapture(ClientTls.class)) {
            ClientTls tls = ClientTls.build(new UpstreamTls(Optional.empty(), Optional.empty(), false));
            assertThat(connect(tls, "wrong.test")).isEqualTo("CN=fallback");
            assertThat(connect(tls, "backend.test")).isEqualTo("CN=backend");
            assertThat(log.lines()).hasSize(1).allMatch(line -> line.startsWith("WARN TLS to servers does not verify"));
        }
    }

    @Test
    void identityDistinguishesSettings() throws Exception {
        Path a = TestPki.writeCerts(dir.resolve("a.pem"), ca.cert());
        Path b = TestPki.writeCerts(dir.resolve("b.pem"), ca.cert());
        List<String> identities = List.of(
                identity(Optional.empty(), Optional.empty(), true),
                identity(Optional.of(a), Optional.empty(), true),
                identity(Optional.of(b), Optional.empty(), true),
                identity(Optional.of(b), Optional.of("x.test"), true),
                identity(Optional.of(b), Optional.of("x.test"), false));
        assertThat(identities).doesNotHaveDuplicates();
        assertThat(identity(Optional.of(b), Optional.of("x.test"), true)).isEqualTo(identities.get(3));
    }

    private static String identity(Optional<Path> bundle, Optional<String> sni, boolean verify) throws Exception {
        return ClientTls.build(new UpstreamTls(bundle, sni, verify)).identity();
    }
}
