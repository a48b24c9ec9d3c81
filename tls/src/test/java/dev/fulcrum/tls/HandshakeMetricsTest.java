package dev.fulcrum.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handshakes counted by protocol, cipher and result; certificate expiry and provider as gauges. */
class HandshakeMetricsTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestPki.Issued ca = TestPki.ca("Test CA");

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    private double handshakes(String protocol, String cipher, String result) {
        Counter counter = registry.find(TlsMetricNames.HANDSHAKES).tag(TlsMetricNames.TAG_LISTENER, "web")
                .tag(TlsMetricNames.TAG_PROTOCOL, protocol).tag(TlsMetricNames.TAG_CIPHER, cipher)
                .tag(TlsMetricNames.TAG_RESULT, result).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void countsHandshakesByProtocolCipherAndResult() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "site", "site.test"));
        try (ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(), registry);
             TlsServer server = new TlsServer(tls);
             NettyClient netty = new NettyClient()) {
            JdkClient.Result v13 = JdkClient.trustingAll().protocols("TLSv1.3").connect(server.port());
            JdkClient.trustingAll().protocols("TLSv1.3").connect(server.port());
            JdkClient.Result v12 = JdkClient.trustingAll().protocols("TLSv1.2").connect(server.port());
            String cipher13 = v13.session().getCipherSuite();
            String cipher12 = v12.session().getCipherSuite();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(handshakes("TLSv1.3", cipher13, "success")).isEqualTo(2);
                assertThat(handshakes("TLSv1.2", cipher12, "success")).isEqualTo(1);
            });

            // A BoringSSL client that only speaks TLS 1.1 reaches the server and is refused there.
            SslContext old = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols("TLSv1.1")
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null).build();
            assertThatThrownBy(() -> netty.connect(server.port(),
                    ch -> old.newHandler(ch.alloc(), "site.test", server.port()))).hasMessage("handshake failed");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(handshakes("none", "none", "failure")).isEqualTo(1));

            // Plain text on the TLS port is a failed handshake too.
            try (Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n".getBytes(US_ASCII));
                InputStream in = plain.getInputStream();
                in.readAllBytes();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(handshakes("none", "none", "failure")).isEqualTo(2));
            assertThat(registry.find(TlsMetricNames.HANDSHAKES).counters()).hasSize(3);
        }
    }

    @Test
    void countsResumedSessionsApart() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "site", "site.test"));
        try (ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(), registry);
             TlsServer server = new TlsServer(tls)) {
            Counter resumed = registry.get(TlsMetricNames.SESSIONS_RESUMED).tag(TlsMetricNames.TAG_LISTENER, "web")
                    .counter();
            assertThat(resumed.count()).isZero();

            // A client that keeps its session comes back with a ticket, in either version.
            JdkClient returning13 = JdkClient.trustingAll().protocols("TLSv1.3");
            String cipher13 = returning13.connect(server.port()).session().getCipherSuite();
            returning13.connect(server.port());
            JdkClient returning12 = JdkClient.trustingAll().protocols("TLSv1.2");
            String cipher12 = returning12.connect(server.port()).session().getCipherSuite();
            returning12.connect(server.port());
            // A new client: a full handshake.
            JdkClient.trustingAll().protocols("TLSv1.3").connect(server.port());

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(handshakes("TLSv1.3", cipher13, "success")).isEqualTo(3);
                assertThat(handshakes("TLSv1.2", cipher12, "success")).isEqualTo(2);
                assertThat(resumed.count()).isEqualTo(2);
            });
        }
    }

    @Test
    void gaugesTheCertificateExpiryAndTheProvider() throws Exception {
        Instant notAfter = Instant.now().plus(Duration.ofDays(50));
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(ca, "site", TestPki.ec(),
                List.of("site.test"), Instant.now().minus(Duration.ofDays(1)), notAfter));
        ServerTls tls = ServerTls.build("web", List.of(site), ListenerTls.DEFAULTS, List.of(), registry);
        try {
            Gauge expiry = registry.get(TlsMetricNames.CERTIFICATE_EXPIRY)
                    .tag(TlsMetricNames.TAG_CERTIFICATE, "site").gauge();
            assertThat(expiry.getId().getBaseUnit()).isEqualTo("seconds");
            assertThat(expiry.value()).isCloseTo(Duration.ofDays(50).toSeconds(), within(120.0));
            assertThat(registry.get(TlsMetricNames.PROVIDER).tag(TlsMetricNames.TAG_PROVIDER, "boringssl").gauge()
                    .value()).isEqualTo(1.0);

            // A reload with a renewed certificate moves the gauge.
            TestPki.files(dir, "site", TestPki.leaf(ca, "site", TestPki.ec(), List.of("site.test"),
                    Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(80))));
            tls.reload();
            assertThat(expiry.value()).isCloseTo(Duration.ofDays(80).toSeconds(), within(120.0));

        } finally {
            tls.close();
        }
        assertThat(registry.find(TlsMetricNames.CERTIFICATE_EXPIRY).gauges()).isEmpty();
    }
}
