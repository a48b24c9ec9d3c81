package dev.fulcrum.appliance.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/2 meters of the appliance's listeners as an operator scrapes them from the admin
 * listener: streams, resets and GOAWAYs by side and code, and connections by protocol.
 */
class Http2MetricsTest {

    private static final HttpClient ADMIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private Http2Site site;
    private Curl curl;

    @BeforeEach
    void start() throws Exception {
        Curl.require();
        site = Http2Site.start(dir);
        curl = new Curl(dir);
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    private Scrape scrape() throws Exception {
        HttpResponse<String> response = ADMIN.send(HttpRequest.newBuilder(URI.create(site.admin() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new Scrape(response.body());
    }

    @Test
    void h2TrafficShowsInStreamsResetsGoAwaysAndConnectionsByProtocol() throws Exception {
        assertThat(curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/a").httpVersion()).isEqualTo("2");
        assertThat(curl.run("--http2", "-k", site.origin(Http2Site.HTTPS) + "/b").httpVersion()).isEqualTo("2");
        assertThat(curl.run(site.origin(Http2Site.HTTP_NO_H2) + "/c").httpVersion()).isEqualTo("1.1");

        try (Socket cancelling = CancellingClient.cancelOneRequest(site.port(Http2Site.HTTP), "localhost")) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape()
                    .value("fulcrum_http2_goaways_total", "listener", "web", "side", "client", "code", "NO_ERROR"))
                    .hasValue(1));
        }

        Scrape scrape = scrape();
        assertThat(scrape.value("fulcrum_http2_streams_total", "listener", "web")).hasValue(2);
        assertThat(scrape.value("fulcrum_http2_streams_total", "listener", "web-tls")).hasValue(1);
        assertThat(scrape.value("fulcrum_http_connections_total", "listener", "web", "protocol", "h2")).hasValue(2);
        assertThat(scrape.value("fulcrum_http_connections_total", "listener", "web-tls", "protocol", "h2"))
                .hasValue(1);
        assertThat(scrape.value("fulcrum_http_connections_total", "listener", "web-h1", "protocol", "http/1.1"))
                .hasValue(1);
        assertThat(scrape.value("fulcrum_http_connections_total", "listener", "web-h1", "protocol", "h2"))
                .hasValue(0);
        // Every code has its series from the start, so a rate over them never begins with a gap.
        assertThat(scrape.value("fulcrum_http2_resets_total", "listener", "web-tls", "side", "proxy",
                "code", "PROTOCOL_ERROR")).hasValue(0);
        assertThat(scrape.value("fulcrum_http2_goaways_total", "listener", "web-tls", "side", "proxy",
                "code", "ENHANCE_YOUR_CALM")).hasValue(0);
        assertThat(scrape.value("fulcrum_http2_resets_total", "listener", "web", "side", "client")).isPresent();
        assertThat(scrape.value("fulcrum_http2_streams_active", "listener", "web")).isPresent();
        assertThat(scrape.value("fulcrum_http2_flow_control_stalls_total", "listener", "web")).isPresent();
    }

    @Test
    void aStreamTheClientResetsIsCountedOnTheClientSide() throws Exception {
        try (Socket cancelling = CancellingClient.cancelOneRequest(site.port(Http2Site.HTTP), "localhost")) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape()
                    .value("fulcrum_http2_resets_total", "listener", "web", "side", "client", "code", "CANCEL"))
                    .hasValue(1));
        }
    }

    /** The scrape with the HTTP/2 meters keeps Prometheus' naming rules; CI installs promtool. */
    @Test
    void theScrapeWithHttp2MetersPassesPromtool() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed");
        assertThat(curl.run("--http2-prior-knowledge", site.origin(Http2Site.HTTP) + "/a").httpVersion()).isEqualTo("2");
        String text = scrape().text();
        assertThat(text).contains("fulcrum_http2_streams_total{listener=\"web\"}");

        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = check.getOutputStream()) {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        }
        boolean ended = check.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            check.destroyForcibly();
        }
        assertThat(ended).as("promtool ended within 30 s").isTrue();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.exitValue()).as(output).isZero();
    }
}
