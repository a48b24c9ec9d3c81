package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools that speak HTTP/2: h2c with prior knowledge, and over TLS, where {@code protocol: http2}
 * offers h2 by ALPN and {@code auto} offers h2 and http/1.1 and takes the server's choice. The servers are a second appliance's
 * https listeners (one with HTTP/2, one without), so what protocol arrived shows in the Via
 * header its backend receives.
 */
class Http2UpstreamTlsTest {

    @TempDir
    Path dir;

    private Http2Site servers;
    private Metrics metrics;
    private Appliance front;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Path inner = Files.createDirectories(dir.resolve("servers"));
        servers = Http2Site.start(inner);
        metrics = new Metrics();
        String yaml = """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - name: front
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes:
                      - {name: h2, match: {path_prefix: /h2/}, pool: h2}
                      - {name: auto-h2, match: {path_prefix: /auto-h2/}, pool: auto-h2}
                      - {name: auto-h1, match: {path_prefix: /auto-h1/}, pool: auto-h1}
                      - {name: h2c, match: {path_prefix: /h2c/}, pool: h2c}
                pools:
                  h2c:
                    protocol: http2
                    servers: [{name: s, address: "127.0.0.1:%4$d"}]
                  h2:
                    protocol: http2
                    tls: {ca: %1$s, sni: localhost}
                    servers: [{name: s, address: "127.0.0.1:%2$d"}]
                  auto-h2:
                    protocol: auto
                    tls: {ca: %1$s, sni: localhost}
                    servers: [{name: s, address: "127.0.0.1:%2$d"}]
                  auto-h1:
                    protocol: auto
                    tls: {ca: %1$s, sni: localhost}
                    servers: [{name: s, address: "127.0.0.1:%3$d"}]
                """.formatted(inner.resolve("localhost.crt"), servers.port(Http2Site.HTTPS),
                servers.port(Http2Site.HTTPS_NO_H2), servers.port(Http2Site.HTTP));
        front = Appliance.start(ConfigLoader.parse("fulcrum.yaml", yaml, dir), metrics);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (front != null) {
                front.close();
            }
        } finally {
            metrics.close();
            servers.close();
        }
    }

    private String viaSeenFor(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + front.listenerAddress("front").getPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return servers.backend().lastRequest().headers().get("Via");
    }

    @Test
    void http2OverTlsIsNegotiatedByAlpn() throws Exception {
        assertThat(viaSeenFor("/h2/x")).isEqualTo("1.1 fulcrum, 2 fulcrum");
        // A second request is a second stream of the same connection.
        assertThat(viaSeenFor("/h2/y")).isEqualTo("1.1 fulcrum, 2 fulcrum");
    }

    @Test
    void h2cWithPriorKnowledge() throws Exception {
        assertThat(viaSeenFor("/h2c/x")).isEqualTo("1.1 fulcrum, 2 fulcrum");
    }

    @Test
    void autoTakesWhatTheServerChooses() throws Exception {
        assertThat(viaSeenFor("/auto-h2/x")).isEqualTo("1.1 fulcrum, 2 fulcrum");
        assertThat(viaSeenFor("/auto-h1/x")).isEqualTo("1.1 fulcrum, 1.1 fulcrum");
        assertThat(viaSeenFor("/auto-h1/y")).isEqualTo("1.1 fulcrum, 1.1 fulcrum");
    }
}
