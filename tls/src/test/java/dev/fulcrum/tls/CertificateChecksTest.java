package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.Location;
import dev.fulcrum.tls.CertificateChecks.Finding;
import dev.fulcrum.tls.CertificateChecks.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateChecksTest {

    private static TestPki.Issued root;
    private static TestPki.Issued intermediate;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        root = TestPki.ca("Root CA");
        intermediate = TestPki.intermediate(root, "Intermediate CA");
    }

    @Test
    void aGoodChainHasNoFindings() throws Exception {
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(intermediate, "site", "site.test"),
                intermediate.cert(), root.cert());
        assertThat(CertificateChecks.check(c, Instant.now())).isEmpty();
    }

    @Test
    void aKeyOfAnotherCertificate() throws Exception {
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(intermediate, "site", "site.test"));
        TestPki.writePkcs8(c.key(), TestPki.leaf(intermediate, "other", "other.test").key());
        assertThat(CertificateChecks.check(c, Instant.now())).containsExactly(new Finding(Severity.ERROR,
                "certificate site: key " + c.key() + " does not match certificate " + c.cert()));
        // Of another algorithm altogether.
        TestPki.writePkcs8(c.key(), TestPki.rsa().getPrivate());
        assertThat(CertificateChecks.check(c, Instant.now())).extracting(Finding::severity)
                .containsExactly(Severity.ERROR);
    }

    @Test
    void aChainInTheWrongOrder() throws Exception {
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(intermediate, "site", "site.test"),
                root.cert(), intermediate.cert());
        List<Finding> findings = CertificateChecks.check(c, Instant.now());
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).severity()).isEqualTo(Severity.ERROR);
        assertThat(findings.get(0).message()).isEqualTo("certificate site: " + c.cert() + " is out of order:"
                + " certificate 1 (CN=site) is not issued by certificate 2 (CN=Root CA); list the leaf first,"
                + " then each issuer");
    }

    @Test
    void anIssuerWithTheRightNameButAnotherKey() throws Exception {
        // Same subject, different key: the names chain but the signature does not verify.
        TestPki.Issued impostor = TestPki.ca("Intermediate CA");
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(intermediate, "site", "site.test"),
                impostor.cert());
        assertThat(CertificateChecks.check(c, Instant.now())).extracting(Finding::severity)
                .containsExactly(Severity.ERROR);
    }

    @Test
    void anExpiredLeaf() throws Exception {
        Instant now = Instant.now();
        Instant end = now.minus(Duration.ofDays(3));
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(root, "site", TestPki.ec(), List.of("site.test"),
                now.minus(Duration.ofDays(100)), end));
        assertThat(CertificateChecks.check(c, now)).containsExactly(new Finding(Severity.ERROR,
                "certificate site: " + c.cert() + " expired on " + date(end)));
    }

    @Test
    void aLeafNotYetValid() throws Exception {
        Instant now = Instant.now();
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(root, "site", TestPki.ec(), List.of("site.test"),
                now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(100))));
        assertThat(CertificateChecks.check(c, now)).extracting(Finding::severity).containsExactly(Severity.ERROR);
        assertThat(CertificateChecks.check(c, now).get(0).message()).contains("is not valid until");
    }

    @Test
    void aLeafExpiringSoonIsAWarning() throws Exception {
        Instant now = Instant.now();
        Instant end = now.plus(Duration.ofDays(10)).plus(Duration.ofHours(1));
        CertificateConfig c = TestPki.files(dir, "site", TestPki.leaf(root, "site", TestPki.ec(), List.of("site.test"),
                now.minus(Duration.ofDays(80)), end));
        assertThat(CertificateChecks.check(c, now)).containsExactly(new Finding(Severity.WARNING,
                "certificate site: " + c.cert() + " expires on " + date(end) + " (10 days left)"));
        // Not yet at 31 days.
        assertThat(CertificateChecks.check(c, now.minus(Duration.ofDays(21)))).isEmpty();
    }

    @Test
    void unreadableFilesAreErrors() {
        CertificateConfig c = new CertificateConfig("site", dir.resolve("missing.crt"), dir.resolve("missing.key"),
                Location.NONE);
        assertThat(CertificateChecks.check(c, Instant.now())).containsExactly(new Finding(Severity.ERROR,
                "certificate site: cannot read " + c.cert() + ": no such file"));
    }

    @Test
    void serverNamesAreTheDnsNamesOrElseTheCommonName() {
        Instant now = Instant.now();
        Instant later = now.plus(Duration.ofDays(90));
        assertThat(CertificateChecks.serverNames(TestPki.leaf(root, "Ignored.Example", "WWW.Example.com",
                "*.example.com").cert())).containsExactly("www.example.com", "*.example.com");
        assertThat(CertificateChecks.serverNames(TestPki.leaf(root, "Legacy.Example", TestPki.ec(), List.of(), now,
                later).cert())).containsExactly("legacy.example");
    }

    private static String date(Instant instant) {
        return DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(instant);
    }
}
