package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ListenerTls;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** mTLS: client certificates verified against the listener's client CA bundle. */
class ClientAuthTest {

    private static TestPki.Issued serverCa;
    private static TestPki.Issued clientCa;
    private static TestPki.Issued goodClient;
    private static TestPki.Issued strangerClient;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        serverCa = TestPki.ca("Server CA");
        clientCa = TestPki.ca("Client CA");
        goodClient = TestPki.leaf(clientCa, "client-1");
        strangerClient = TestPki.leaf(TestPki.ca("Other CA"), "stranger");
    }

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void checkLeaks() {
        LeakReports.assertNone();
    }

    private ServerTls server(ListenerTls.ClientAuth mode, SslProvider provider) throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(serverCa, "site", "site.test"));
        Path bundle = TestPki.writeCerts(dir.resolve("clients.pem"), clientCa.cert());
        ListenerTls settings = new ListenerTls(ListenerTls.DEFAULT_PROTOCOLS, List.of(), Optional.of(bundle), mode,
                ListenerTls.DEFAULT_CLIENT_CERT_HEADER, Duration.ofHours(1));
        return ServerTls.build("web", List.of(site), settings, List.of(), new SimpleMeterRegistry(), provider);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void requireAcceptsOnlyClientsOfTheClientCa(SslProvider provider) throws Exception {
        try (ServerTls tls = server(ListenerTls.ClientAuth.REQUIRE, provider); TlsServer server = new TlsServer(tls)) {
            assertThatThrownBy(() -> JdkClient.trustingAll().connect(server.port())).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> JdkClient.presenting(strangerClient).connect(server.port()))
                    .isInstanceOf(IOException.class);
            assertThat(JdkClient.presenting(goodClient).connect(server.port()).servedSubject()).isEqualTo("CN=site");
            // TLS 1.2 tells the client in the handshake itself.
            assertThatThrownBy(() -> JdkClient.trustingAll().protocols("TLSv1.2").connect(server.port()))
                    .isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void optionalAcceptsClientsWithAndWithoutCertificates(SslProvider provider) throws Exception {
        try (ServerTls tls = server(ListenerTls.ClientAuth.OPTIONAL, provider); TlsServer server = new TlsServer(tls)) {
            assertThat(JdkClient.trustingAll().connect(server.port()).servedSubject()).isEqualTo("CN=site");
            assertThat(JdkClient.presenting(goodClient).connect(server.port()).servedSubject()).isEqualTo("CN=site");
            // A certificate that is sent is still verified.
            assertThatThrownBy(() -> JdkClient.presenting(strangerClient).connect(server.port()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void clientAuthWithoutACaBundleIsAConfigError() throws Exception {
        CertificateConfig site = TestPki.files(dir, "site", TestPki.leaf(serverCa, "site", "site.test"));
        ListenerTls settings = new ListenerTls(ListenerTls.DEFAULT_PROTOCOLS, List.of(), Optional.empty(),
                ListenerTls.ClientAuth.REQUIRE, ListenerTls.DEFAULT_CLIENT_CERT_HEADER, Duration.ofHours(1));
        assertThatThrownBy(() -> ServerTls.build("web", List.of(site), settings, List.of(), new SimpleMeterRegistry()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("listener web: client_auth require needs client_ca, the CA bundle that signs client"
                        + " certificates");
    }
}
