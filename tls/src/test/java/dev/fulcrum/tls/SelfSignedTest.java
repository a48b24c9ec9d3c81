package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.config.Location;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum cert}: a pair that loads, checks clean and serves. */
class SelfSignedTest {

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

    @Test
    void writesAPairThatLoadsAndServes() throws Exception {
        SelfSigned.Written written = SelfSigned.write("demo.test", dir.resolve("certs"));
        assertThat(written.cert()).isEqualTo(dir.resolve("certs/demo.test.crt"));
        assertThat(written.key()).isEqualTo(dir.resolve("certs/demo.test.key"));
        assertThat(Files.readString(written.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.key()))).isEqualTo("rw-------");

        CertificateConfig c = new CertificateConfig("demo", written.cert(), written.key(), Location.NONE);
        PemCredentials credentials = PemCredentials.load(c);
        assertThat(credentials.key().getAlgorithm()).isEqualTo("EC");
        assertThat(CertificateChecks.serverNames(credentials.leaf())).containsExactly("demo.test");
        assertThat(credentials.leaf().getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(89)), Instant.now().plus(Duration.ofDays(91)));
        assertThat(CertificateChecks.check(c, Instant.now())).isEmpty();

        try (ServerTls tls = ServerTls.build("web", List.of(c), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry());
             TlsServer server = new TlsServer(tls)) {
            // It is its own CA: trusting the certificate itself is how a client accepts it.
            JdkClient.Result result = JdkClient.trusting(credentials.leaf()).sni("demo.test").connect(server.port());
            assertThat(result.servedSubject()).isEqualTo("CN=demo.test");
        }
    }

    @Test
    void anIpAddressBecomesAnIpSan() throws Exception {
        SelfSigned.Written written = SelfSigned.write("127.0.0.1", dir);
        PemCredentials credentials = PemCredentials.load(new CertificateConfig("ip", written.cert(), written.key(),
                Location.NONE));
        assertThat(credentials.leaf().getSubjectAlternativeNames())
                .containsExactly(List.of(7, "127.0.0.1"));
    }
}
