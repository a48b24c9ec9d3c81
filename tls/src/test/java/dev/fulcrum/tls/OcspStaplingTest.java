package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.config.Location;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configured OCSP response is stapled by BoringSSL; the JDK provider says it cannot and serves without. */
class OcspStaplingTest {

    /** Stapling does not look inside: any DER bytes do (this is an OCSPResponse saying "tryLater"). */
    private static final byte[] RESPONSE = {0x30, 0x03, 0x0a, 0x01, 0x03};

    @TempDir
    Path dir;

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    private CertificateConfig stapled() throws Exception {
        CertificateConfig plain = TestPki.files(dir, "site", TestPki.leaf(TestPki.ca("Test CA"), "site", "site.test"));
        Path ocsp = Files.write(dir.resolve("site.ocsp"), RESPONSE);
        return new CertificateConfig("site", plain.cert(), plain.key(), Location.NONE, Optional.empty(),
                Optional.of(ocsp));
    }

    @Test
    void boringSslStaplesTheResponse() throws Exception {
        assertThat(OpenSsl.isOcspSupported()).isTrue();
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).enableOcsp(true)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null).build();
        try (ServerTls tls = ServerTls.build("web", List.of(stapled()), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
             TlsServer server = new TlsServer(tls);
             NettyClient netty = new NettyClient();
             NettyClient.Connection connection = netty.connect(server.port(),
                     ch -> client.newHandler(ch.alloc(), "site.test", server.port()))) {
            assertThat(tls.provider()).isEqualTo("boringssl");
            assertThat(((ReferenceCountedOpenSslEngine) connection.ssl().engine()).getOcspResponse())
                    .isEqualTo(RESPONSE);
        }
    }

    @Test
    void theJdkProviderWarnsAndServesWithoutStapling() throws Exception {
        try (LogCapture log = new LogCapture(ServerContexts.class);
             ServerTls tls = ServerTls.build("web", List.of(stapled()), ListenerTls.DEFAULTS, List.of(),
                     new SimpleMeterRegistry(), SslProvider.JDK);
             TlsServer server = new TlsServer(tls)) {
            assertThat(log.lines()).containsExactly("WARN listener web: certificate site: OCSP stapling needs"
                    + " BoringSSL, the jdk provider cannot staple; serving without the OCSP response");
            assertThat(JdkClient.trustingAll().connect(server.port()).servedSubject()).isEqualTo("CN=site");
        }
    }
}
