package dev.fulcrum.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload changes what new handshakes get; established connections are not disturbed. */
class ReloadTest {

    @TempDir
    Path dir;

    private final TestPki.Issued ca = TestPki.ca("Test CA");

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    @Test
    void newConnectionsGetTheNewCertificateAndOpenOnesKeepWorking() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "old", "site.test"));
        SslContext client = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null).build();
        try (ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
             TlsServer server = new TlsServer(tls);
             NettyClient netty = new NettyClient();
             NettyClient.Connection open = netty.connect(server.port(),
                     ch -> client.newHandler(ch.alloc(), "site.test", server.port()))) {
            assertThat(subject(open)).isEqualTo("CN=old");

            TestPki.files(dir, "site", TestPki.leaf(ca, "new", "site.test"));
            tls.reload();

            assertThat(JdkClient.trustingAll().sni("site.test").connect(server.port()).servedSubject())
                    .isEqualTo("CN=new");
            // The connection made before the reload still carries data, with its old certificate.
            open.channel().writeAndFlush(Unpooled.copiedBuffer("more", US_ASCII)).sync();
            assertThat(open.channel().isActive()).isTrue();
            assertThat(subject(open)).isEqualTo("CN=old");
        }
    }

    @Test
    void aConnectionAcceptedBeforeTheReloadButHandshakingAfterGetsTheNewCertificate() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "old", "site.test"));
        try (ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
             TlsServer server = new TlsServer(tls);
             Socket tcp = new Socket("127.0.0.1", server.port())) {
            TestPki.files(dir, "site", TestPki.leaf(ca, "new", "site.test"));
            tls.reload();
            SSLContext trustAll = JdkClient.trustingAll().sslContext();
            try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket(tcp, "site.test",
                    server.port(), true)) {
                socket.setSoTimeout(5_000);
                socket.startHandshake();
                assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName()).isEqualTo("CN=new");
            }
        }
    }

    @Test
    void aBrokenKeyFailsTheReloadAndTheOldCertificateStays() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "old", "site.test"));
        try (ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
             TlsServer server = new TlsServer(tls)) {
            Files.writeString(site.key(), "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");
            assertThatThrownBy(tls::reload).isInstanceOf(TlsConfigException.class)
                    .hasMessageStartingWith("certificate site: ");

            // A renewal that wrote the certificate but a key of another certificate fails too.
            TestPki.files(dir, "site", TestPki.leaf(ca, "new", "site.test"));
            TestPki.writePkcs8(site.key(), TestPki.ec().getPrivate());
            assertThatThrownBy(tls::reload).isInstanceOf(TlsConfigException.class)
                    .hasMessage("certificate site: key " + site.key() + " does not match certificate " + site.cert());

            assertThat(JdkClient.trustingAll().sni("site.test").connect(server.port()).servedSubject())
                    .isEqualTo("CN=old");
        }
    }

    private static String subject(NettyClient.Connection connection) throws Exception {
        return ((X509Certificate) connection.ssl().engine().getSession().getPeerCertificates()[0])
                .getSubjectX500Principal().getName();
    }
}
