package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.config.Location;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real handshakes against every key format, both providers, and the protocol versions allowed. */
class ServerHandshakeTest {

    enum KeyFormat { RSA_PKCS1, RSA_PKCS8, EC_SEC1, EC_PKCS8, RSA_ENCRYPTED_PKCS8, EC_ENCRYPTED_PKCS8, RSA_LEGACY_ENCRYPTED }

    private static TestPki.Issued ca;
    private static KeyPair rsaKeys;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        ca = TestPki.ca("Test CA");
        rsaKeys = TestPki.rsa();
    }

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    private CertificateConfig certificate(KeyFormat format) throws Exception {
        boolean rsa = format.name().startsWith("RSA");
        TestPki.Issued leaf = TestPki.leaf(ca, "site.test", rsa ? rsaKeys : TestPki.ec(), List.of("site.test"),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(100)));
        Path cert = TestPki.writeCerts(dir.resolve("site.crt"), leaf.cert());
        Path key = dir.resolve("site.key");
        Optional<Path> passphrase = Optional.empty();
        switch (format) {
            case RSA_PKCS1, EC_SEC1 -> TestPki.writeTraditional(key, leaf.key());
            case RSA_PKCS8, EC_PKCS8 -> TestPki.writePkcs8(key, leaf.key());
            case RSA_ENCRYPTED_PKCS8, EC_ENCRYPTED_PKCS8 -> TestPki.writeEncryptedPkcs8(key, leaf.key(), "s3cret");
            case RSA_LEGACY_ENCRYPTED -> TestPki.writeLegacyEncrypted(key, leaf.key(), "s3cret");
            default -> throw new IllegalArgumentException(format.name());
        }
        if (format.name().contains("ENCRYPTED")) {
            // With the trailing newline an editor leaves: it is not part of the passphrase.
            passphrase = Optional.of(Files.writeString(dir.resolve("passphrase"), "s3cret\n"));
        }
        return new CertificateConfig("site", cert, key, Location.NONE, passphrase, Optional.empty());
    }

    @Test
    void boringSslIsTheProvider() throws Exception {
        assertThat(TlsProvider.name(TlsProvider.select())).isEqualTo("boringssl");
        try (ServerTls tls = ServerTls.build("web", List.of(certificate(KeyFormat.EC_PKCS8)), ListenerTls.DEFAULTS,
                List.of(), new SimpleMeterRegistry())) {
            assertThat(tls.provider()).isEqualTo("boringssl");
        }
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void handshakesWithEveryKeyFormatOnBoringSsl(KeyFormat format) throws Exception {
        handshake(format, SslProvider.OPENSSL, "boringssl");
    }

    @ParameterizedTest
    @EnumSource(value = KeyFormat.class, names = {"RSA_PKCS1", "EC_SEC1", "EC_ENCRYPTED_PKCS8"})
    void handshakesOnTheJdkProvider(KeyFormat format) throws Exception {
        handshake(format, SslProvider.JDK, "jdk");
    }

    private void handshake(KeyFormat format, SslProvider provider, String name) throws Exception {
        try (ServerTls tls = ServerTls.build("web", List.of(certificate(format)), ListenerTls.DEFAULTS, List.of(),
                new SimpleMeterRegistry(), provider);
             TlsServer server = new TlsServer(tls)) {
            assertThat(tls.provider()).isEqualTo(name);
            JdkClient.Result result = JdkClient.trusting(ca.cert()).sni("site.test").connect(server.port());
            assertThat(result.servedSubject()).isEqualTo("CN=site.test");
            assertThat(result.session().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void acceptsTls12AndTls13(SslProvider provider) throws Exception {
        try (ServerTls tls = ServerTls.build("web", List.of(certificate(KeyFormat.RSA_PKCS8)), ListenerTls.DEFAULTS,
                List.of(), new SimpleMeterRegistry(), provider);
             TlsServer server = new TlsServer(tls)) {
            JdkClient.Result v12 = JdkClient.trusting(ca.cert()).protocols("TLSv1.2").connect(server.port());
            assertThat(v12.session().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(v12.session().getCipherSuite()).startsWith("TLS_ECDHE_").contains("_GCM_");
            JdkClient.Result v13 = JdkClient.trusting(ca.cert()).protocols("TLSv1.3").connect(server.port());
            assertThat(v13.session().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void refusesTls10AndTls11(SslProvider provider) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ServerTls tls = ServerTls.build("web", List.of(certificate(KeyFormat.RSA_PKCS8)), ListenerTls.DEFAULTS,
                List.of(), registry, provider);
             TlsServer server = new TlsServer(tls);
             NettyClient netty = new NettyClient()) {
            // The JDK client gives up on its own (its java.security disables TLS 1.1) ...
            assertThatThrownBy(() -> JdkClient.trustingAll().protocols("TLSv1.1").connect(server.port()))
                    .isInstanceOf(SSLException.class);
            // ... a BoringSSL client still offers the old versions, and the server refuses them.
            for (String old : List.of("TLSv1", "TLSv1.1")) {
                SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols(old)
                        .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null)
                        .build();
                assertThatThrownBy(() -> netty.connect(server.port(), ch -> client.newHandler(ch.alloc())))
                        .as(old).hasMessage("handshake failed");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(registry.get(
                    TlsMetricNames.HANDSHAKES).tag(TlsMetricNames.TAG_RESULT, "failure").counter().count())
                    .isEqualTo(2));
        }
    }

    @Test
    void negotiatesHttp11WithAlpn() throws Exception {
        for (SslProvider provider : List.of(SslProvider.OPENSSL, SslProvider.JDK)) {
            try (ServerTls tls = ServerTls.build("web", List.of(certificate(KeyFormat.EC_PKCS8)), ListenerTls.DEFAULTS,
                    List.of("http/1.1"), new SimpleMeterRegistry(), provider);
                 TlsServer server = new TlsServer(tls)) {
                assertThat(JdkClient.trustingAll().alpn("h2", "http/1.1").connect(server.port()).alpn())
                        .as(provider.name()).isEqualTo("http/1.1");
                // A client that offers nothing we speak still gets in (no ALPN agreed).
                assertThat(JdkClient.trustingAll().alpn("h2").connect(server.port()).alpn())
                        .as(provider.name()).isEmpty();
            }
        }
    }

    @Test
    void refusesOldProtocolsInTheSettings() throws Exception {
        ListenerTls old = new ListenerTls(List.of("TLSv1.2", "TLSv1.1"), List.of(), Optional.empty(),
                ListenerTls.ClientAuth.NONE, ListenerTls.DEFAULT_CLIENT_CERT_HEADER, Duration.ofHours(1));
        CertificateConfig c = certificate(KeyFormat.EC_PKCS8);
        assertThatThrownBy(() -> ServerTls.build("web", List.of(c), old, List.of(), new SimpleMeterRegistry()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("listener web: protocol TLSv1.1 is not allowed; use TLSv1.3 and TLSv1.2");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void configuredCiphersTakeOpenSslOrIanaNamesAndKeepTls13(SslProvider provider) throws Exception {
        ListenerTls settings = new ListenerTls(ListenerTls.DEFAULT_PROTOCOLS,
                List.of("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"), Optional.empty(),
                ListenerTls.ClientAuth.NONE, ListenerTls.DEFAULT_CLIENT_CERT_HEADER, Duration.ofHours(1));
        try (ServerTls tls = ServerTls.build("web", List.of(certificate(KeyFormat.RSA_PKCS8)), settings, List.of(),
                new SimpleMeterRegistry(), provider);
             TlsServer server = new TlsServer(tls)) {
            assertThat(JdkClient.trustingAll().protocols("TLSv1.2").connect(server.port()).session().getCipherSuite())
                    .isIn("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
            assertThat(JdkClient.trustingAll().connect(server.port()).session().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void anUnknownCipherIsAConfigError() throws Exception {
        ListenerTls settings = new ListenerTls(ListenerTls.DEFAULT_PROTOCOLS, List.of("ECDHE-RSA-AES128-GCM-SHA256",
                "NO-SUCH-CIPHER"), Optional.empty(), ListenerTls.ClientAuth.NONE,
                ListenerTls.DEFAULT_CLIENT_CERT_HEADER, Duration.ofHours(1));
        CertificateConfig c = certificate(KeyFormat.EC_PKCS8);
        assertThatThrownBy(() -> ServerTls.build("web", List.of(c), settings, List.of(), new SimpleMeterRegistry()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("listener web: cipher suite NO-SUCH-CIPHER is not supported by boringssl");
    }
}
