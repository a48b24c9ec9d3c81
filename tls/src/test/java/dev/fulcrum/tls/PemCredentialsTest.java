package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key format we promise, and a clear sentence for every way the files can be wrong. */
class PemCredentialsTest {

    private static TestPki.Issued ca;
    private static TestPki.Issued rsaLeaf;
    private static TestPki.Issued ecLeaf;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        ca = TestPki.ca("Test CA");
        Instant now = Instant.now();
        rsaLeaf = TestPki.leaf(ca, "rsa.test", TestPki.rsa(), List.of("rsa.test"), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(90)));
        ecLeaf = TestPki.leaf(ca, "ec.test", "ec.test");
    }

    private CertificateConfig config(Path key) throws Exception {
        return config(key, Optional.empty());
    }

    private CertificateConfig config(Path key, Optional<Path> passphrase) throws Exception {
        Path cert = TestPki.writeCerts(dir.resolve("site.crt"), rsaLeaf.cert(), ca.cert());
        return new CertificateConfig("site", cert, key, Location.NONE, passphrase, Optional.empty());
    }

    private Path passphrase(String content) throws Exception {
        return Files.writeString(dir.resolve("pass.txt"), content);
    }

    @Test
    void readsRsaPkcs1AndPkcs8() throws Exception {
        PemCredentials pkcs1 = PemCredentials.load(config(TestPki.writeTraditional(dir.resolve("a.key"), rsaLeaf.key())));
        PemCredentials pkcs8 = PemCredentials.load(config(TestPki.writePkcs8(dir.resolve("b.key"), rsaLeaf.key())));
        assertThat(Files.readString(dir.resolve("a.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("b.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        for (PemCredentials credentials : List.of(pkcs1, pkcs8)) {
            assertThat(credentials.key().getAlgorithm()).isEqualTo("RSA");
            assertThat(credentials.key().getEncoded()).isEqualTo(rsaLeaf.key().getEncoded());
            assertThat(credentials.chain()).containsExactly(rsaLeaf.cert(), ca.cert());
        }
    }

    @Test
    void readsEcSec1AndPkcs8() throws Exception {
        Path sec1 = TestPki.writeTraditional(dir.resolve("a.key"), ecLeaf.key());
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        for (Path key : List.of(sec1, TestPki.writePkcs8(dir.resolve("b.key"), ecLeaf.key()))) {
            PemCredentials credentials = PemCredentials.load(config(key));
            assertThat(credentials.key().getAlgorithm()).isEqualTo("EC");
            assertThat(Keys.matches(credentials.key(), ecLeaf.cert().getPublicKey())).isTrue();
        }
    }

    @Test
    void readsEncryptedKeysWithThePassphraseFile() throws Exception {
        Path pass = passphrase("correct horse\n");
        Path pkcs8 = TestPki.writeEncryptedPkcs8(dir.resolve("a.key"), rsaLeaf.key(), "correct horse");
        Path legacy = TestPki.writeLegacyEncrypted(dir.resolve("b.key"), rsaLeaf.key(), "correct horse");
        assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(Files.readString(legacy)).contains("Proc-Type: 4,ENCRYPTED");
        for (Path key : List.of(pkcs8, legacy)) {
            assertThat(PemCredentials.load(config(key, Optional.of(pass))).key().getEncoded())
                    .isEqualTo(rsaLeaf.key().getEncoded());
        }
    }

    @Test
    void readsCertificateAndKeyFromOneFile() throws Exception {
        Path both = TestPki.write(dir.resolve("both.pem"), ecLeaf.cert(), new org.bouncycastle.openssl.jcajce
                .JcaPKCS8Generator(ecLeaf.key(), null));
        PemCredentials credentials = PemCredentials.load(new CertificateConfig("site", both, both, Location.NONE));
        assertThat(credentials.chain()).containsExactly(ecLeaf.cert());
        assertThat(credentials.key().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        CertificateConfig c = config(dir.resolve("nope.key"));
        assertThatThrownBy(() -> PemCredentials.load(c)).isInstanceOf(TlsConfigException.class)
                .hasMessage("certificate site: cannot read " + dir.resolve("nope.key") + ": no such file");
    }

    @Test
    void aCertificateFileWithoutCertificates() throws Exception {
        Path key = TestPki.writePkcs8(dir.resolve("site.key"), rsaLeaf.key());
        CertificateConfig c = new CertificateConfig("site", key, key, Location.NONE);
        assertThatThrownBy(() -> PemCredentials.load(c)).isInstanceOf(TlsConfigException.class)
                .hasMessage("certificate site: " + key + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
    }

    @Test
    void aKeyFileWithoutKeys() throws Exception {
        Path notKey = TestPki.writeCerts(dir.resolve("site.key"), rsaLeaf.cert());
        assertThatThrownBy(() -> PemCredentials.load(config(notKey))).isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("certificate site: " + notKey + " holds no private key");
    }

    @Test
    void anEncryptedKeyWithoutPassphraseFile() throws Exception {
        Path key = TestPki.writeEncryptedPkcs8(dir.resolve("site.key"), rsaLeaf.key(), "pw");
        assertThatThrownBy(() -> PemCredentials.load(config(key))).isInstanceOf(TlsConfigException.class)
                .hasMessage("certificate site: key " + key + " is encrypted but no passphrase_file is set");
        Path legacy = TestPki.writeLegacyEncrypted(dir.resolve("legacy.key"), rsaLeaf.key(), "pw");
        assertThatThrownBy(() -> PemCredentials.load(config(legacy))).isInstanceOf(TlsConfigException.class)
                .hasMessage("certificate site: key " + legacy + " is encrypted but no passphrase_file is set");
    }

    @Test
    void aWrongPassphrase() throws Exception {
        Path pass = passphrase("wrong");
        for (Path key : List.of(TestPki.writeEncryptedPkcs8(dir.resolve("a.key"), rsaLeaf.key(), "right"),
                TestPki.writeLegacyEncrypted(dir.resolve("b.key"), rsaLeaf.key(), "right"))) {
            assertThatThrownBy(() -> PemCredentials.load(config(key, Optional.of(pass))))
                    .isInstanceOf(TlsConfigException.class)
                    .hasMessage("certificate site: wrong passphrase for key " + key + " (passphrase from " + pass + ")");
        }
    }

    @Test
    void anUnsupportedKeyType() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519", TestPki.BC);
        KeyPair ed = generator.generateKeyPair();
        Path key = TestPki.writePkcs8(dir.resolve("site.key"), ed.getPrivate());
        assertThatThrownBy(() -> PemCredentials.load(config(key))).isInstanceOf(TlsConfigException.class)
                .hasMessage("certificate site: key " + key + " is an unsupported Ed25519 key; use an RSA or EC key");
    }

    @Test
    void damagedPem() throws Exception {
        Path key = Files.writeString(dir.resolve("site.key"),
                "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemCredentials.load(config(key))).isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("certificate site: " + key + " is not a valid PEM file (");
    }

    @Test
    void ecKeyWrittenFromTheJdkProvider() throws Exception {
        // A SunEC key written as SEC1 carries neither its curve nor its public key: no one can
        // use it, and it must fail with a sentence rather than a stack trace.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair jdk = generator.generateKeyPair();
        Path key = TestPki.writeTraditional(dir.resolve("site.key"), jdk.getPrivate());
        assertThatThrownBy(() -> PemCredentials.load(config(key))).isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("certificate site: key " + key + " cannot be read (");
    }
}
