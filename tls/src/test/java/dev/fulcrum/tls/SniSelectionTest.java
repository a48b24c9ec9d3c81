package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The client's server name picks the certificate; the first one answers everybody else. */
class SniSelectionTest {

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

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void choosesByServerName(SslProvider provider) throws Exception {
        TestPki.Issued ca = TestPki.ca("Test CA");
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "site", "a.example.com", "b.example.com"));
        CertificateConfig wild = TestPki.files(dir, "wild", TestPki.leaf(ca, "wild", "*.wild.example"));
        // No SANs: served for its common name.
        CertificateConfig legacy = TestPki.files(dir, "legacy", TestPki.leaf(ca, "cn-only.example", TestPki.ec(),
                List.of(), Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(90))));
        try (ServerTls tls = ServerTls.build("web", List.of(site, wild, legacy), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry(), provider);
             TlsServer server = new TlsServer(tls)) {
            assertThat(servedTo("a.example.com", server)).isEqualTo("CN=site");
            assertThat(servedTo("b.example.com", server)).isEqualTo("CN=site");
            assertThat(servedTo("x.wild.example", server)).isEqualTo("CN=wild");
            assertThat(servedTo("Y.Wild.Example", server)).isEqualTo("CN=wild");
            assertThat(servedTo("cn-only.example", server)).isEqualTo("CN=cn-only.example");
            // The wildcard covers one label, like clients check it.
            assertThat(servedTo("a.b.wild.example", server)).isEqualTo("CN=site");
            assertThat(servedTo("unknown.example", server)).isEqualTo("CN=site");
            assertThat(servedTo(null, server)).isEqualTo("CN=site");
        }
    }

    private static String servedTo(String sni, TlsServer server) throws Exception {
        return JdkClient.trustingAll().sni(sni).connect(server.port()).servedSubject();
    }
}
