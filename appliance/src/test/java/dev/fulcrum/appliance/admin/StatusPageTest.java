package dev.fulcrum.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /status} as an HTTP client sees it: the page under a strict policy, building no markup from data. */
class StatusPageTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Metrics metrics = new Metrics();
    private Appliance appliance;

    @BeforeEach
    void start() throws Exception {
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: p}]}
                pools:
                  p:
                    servers: [{name: s1, address: "127.0.0.1:9"}]
                """, Path.of(".")), metrics);
    }

    @AfterEach
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
        metrics.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + appliance.adminAddress().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void isServedAsHtmlUnderAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> response = get("/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(response.headers().firstValue("content-security-policy")).hasValue(
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                        + "frame-ancestors 'none'");
        assertThat(response.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(response.body()).startsWith("<!doctype html>").contains("/api/v1/status");
    }

    @Test
    void insertsNoDataAsMarkupAndLoadsNothingFromElsewhere() throws Exception {
        String html = get("/status").body();

        // Names and reasons are data: the script may only set text.
        assertThat(html).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                "eval(", "new Function");
        assertThat(html).doesNotContainPattern("(?i)\\b(src|href)\\s*=")
                .doesNotContain("http://", "https://", "@import");
        // The page is read-only: it never holds or asks for the admin token.
        assertThat(html).doesNotContainIgnoringCase("bearer").doesNotContainIgnoringCase("authorization");
    }
}
