package dev.fulcrum.appliance.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.Location;
import dev.fulcrum.tls.PemCredentials;
import dev.fulcrum.tls.SelfSigned;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https and tls listeners terminate TLS; pools with tls re-encrypt to their servers. */
class TlsListenersTest {

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final ExecutorService echoThreads = Executors.newCachedThreadPool();
    private Backend backend;
    private ServerSocket echo;
    private Appliance appliance;
    private SSLContext trusting;
    private SelfSigned.Written certificate;

    @BeforeEach
    void start() throws Exception {
        certificate = SelfSigned.write("localhost", dir);
        trusting = trustOnly(certificate.cert());
        backend = new Backend("b1");
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        echoThreads.execute(() -> {
            while (!echo.isClosed()) {
                try (Socket socket = echo.accept()) {
                    socket.getInputStream().transferTo(socket.getOutputStream());
                } catch (Exception closed) {
                    return;
                }
            }
        });
        Files.writeString(dir.resolve("fulcrum.yaml"), """
                admin: {bind: "127.0.0.1:0"}
                certificates:
                  - {name: site, cert: %s, key: %s}
                listeners:
                  - {name: web-tls, bind: "127.0.0.1:0", protocol: https, certificates: [site], routes: [{pool: app}]}
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: reencrypted}]}
                  - {name: tls-relay, bind: "127.0.0.1:0", protocol: tls, certificates: [site], pool: echo}
                pools:
                  app:
                    servers: [{name: b1, address: "127.0.0.1:%d"}]
                  echo:
                    servers: [{name: e1, address: "127.0.0.1:%d"}]
                  reencrypted:
                    tls: {ca: %s, sni: localhost}
                    servers: [{name: self, address: "127.0.0.1:@WEBTLS@"}]
                """.formatted(certificate.cert(), certificate.key(), backend.port(), echo.getLocalPort(),
                certificate.cert()));
    }

    @AfterEach
    void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
        backend.close();
        echo.close();
        echoThreads.shutdownNow();
        echoThreads.awaitTermination(5, TimeUnit.SECONDS);
        metrics.close();
    }

    /** Starts with the https listener's port known first: the re-encrypting pool points at it. */
    private void startAppliance() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String yaml = Files.readString(dir.resolve("fulcrum.yaml")).replace("@WEBTLS@", Integer.toString(port))
                .replace("{name: web-tls, bind: \"127.0.0.1:0\"", "{name: web-tls, bind: \"127.0.0.1:" + port + "\"");
        appliance = Appliance.start(ConfigLoader.parse("fulcrum.yaml", yaml, dir), metrics);
    }

    private static SSLContext trustOnly(Path cert) throws Exception {
        X509Certificate x509;
        try (InputStream in = Files.newInputStream(cert)) {
            x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("site", x509);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void anHttpsListenerTerminatesTlsAndTellsTheBackend() throws Exception {
        startAppliance();
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + appliance.listenerAddress("web-tls").getPort() + "/hello")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("b1");
        assertThat(backend.lastHeader("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(metrics.registry().get("fulcrum.tls.handshakes").tag("listener", "web-tls")
                .tag("result", "success").counters()).isNotEmpty();
    }

    @Test
    void aPoolWithTlsReencryptsToItsServers() throws Exception {
        startAppliance();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + appliance.listenerAddress("web").getPort() + "/through")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).as("plain -> TLS to our own https listener -> plain").isEqualTo("b1");
    }

    @Test
    void aTlsListenerTerminatesTlsAndRelaysPlainBytes() throws Exception {
        startAppliance();
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("localhost",
                appliance.listenerAddress("tls-relay").getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            socket.getOutputStream().flush();
            assertThat(new String(socket.getInputStream().readNBytes(4), US_ASCII)).isEqualTo("ping");
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void tls12IsAcceptedBesideTls13() throws Exception {
        startAppliance();
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("localhost",
                appliance.listenerAddress("web-tls").getPort())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
    }

    @Test
    void mutualTlsPassesTheVerifiedSubjectAndDropsAForgedOne() throws Exception {
        SelfSigned.Written client = SelfSigned.write("client.example", dir.resolve("client"));
        String yaml = Files.readString(dir.resolve("fulcrum.yaml"))
                .replace("certificates: [site], routes: [{pool: app}]}",
                        "certificates: [site], routes: [{pool: app}], tls: {client_ca: " + client.cert() + "}}");
        Files.writeString(dir.resolve("fulcrum.yaml"), yaml);
        startAppliance();
        PemCredentials credentials = PemCredentials.load(new CertificateConfig("client", client.cert(), client.key(),
                new Location("test", 1, 1)));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", credentials.key(), new char[0],
                credentials.chain().toArray(new java.security.cert.Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        SSLContext withCertificate = SSLContext.getInstance("TLS");
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        anchors.setCertificateEntry("site", PemCredentials.load(new CertificateConfig("site", certificate.cert(),
                certificate.key(), new Location("test", 1, 1))).leaf());
        trust.init(anchors);
        withCertificate.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);

        HttpClient client2 = HttpClient.newBuilder().sslContext(withCertificate).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client2.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                        + appliance.listenerAddress("web-tls").getPort() + "/who"))
                .header("X-Client-Cert-Subject", "CN=someone else").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.lastHeader("X-Client-Cert-Subject")).contains("client.example");

        HttpClient anonymous = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> anonymous.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + appliance.listenerAddress("web-tls").getPort() + "/who")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).as("no client certificate: refused").isInstanceOf(IOException.class);
    }

    @Test
    void reloadedCertificatesServeNewHandshakes() throws Exception {
        startAppliance();
        SelfSigned.Written renewed = SelfSigned.write("localhost", dir.resolve("renewed"));
        Files.copy(renewed.cert(), certificate.cert(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.key(), certificate.key(), StandardCopyOption.REPLACE_EXISTING);
        appliance.reloadCertificates();
        try (SSLSocket socket = (SSLSocket) trustOnly(renewed.cert()).getSocketFactory().createSocket("localhost",
                appliance.listenerAddress("web-tls").getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(PemCredentials.load(new CertificateConfig("r", renewed.cert(), renewed.key(),
                            new Location("test", 1, 1))).leaf().getSerialNumber());
        }
    }
}
