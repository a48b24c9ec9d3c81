package dev.fulcrum.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.tls.SelfSigned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteCommandTest {

    private static final String CONFIG = """
            listeners:
              - name: web
                bind: 0.0.0.0:8080
                protocol: http
                routes:
                  - {name: video, match: {path_prefix: /video}, pool: video}
                  - {name: api, match: {path_prefix: /api/}, pool: video, strip_prefix: /api}
                  - {name: billing, match: {host: billing.example.com}, pool: billing}
                  - {name: beta, match: {headers: {x-beta: "on"}}, pool: video}
              - name: internal
                bind: 127.0.0.1:8081
                protocol: http
                routes:
                  - {name: all, pool: billing}
              - name: legacy
                bind: 127.0.0.1:8082
                protocol: http
                http2: false
                routes:
                  - {name: all, pool: billing}
            pools:
              video:
                servers:
                  - {name: video-1, address: 127.0.0.1:9001}
              billing:
                servers:
                  - {name: billing-1, address: 127.0.0.1:9003, weight: 50}
            """;

    @TempDir
    Path dir;
    private String file;

    @BeforeEach
    void writeConfig() throws IOException {
        file = Files.writeString(dir.resolve("fulcrum.yaml"), CONFIG).toString();
    }

    @Test
    void aMatchNamesListenerRoutePoolAndWhyEarlierRulesDidNotMatch() {
        CliRun run = CliRun.of("route", file, "GET", "http://billing.example.com:8080/pay/42");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("listener web: GET /pay/42")
                .contains("1. video -> pool video: no, path \"/pay/42\" does not start with \"/video\"")
                .contains("3. billing -> pool billing: MATCH")
                .contains("route billing, pool billing")
                .contains("billing-1 127.0.0.1:9003 weight 50")
                .doesNotContain("4. beta");
    }

    @Test
    void aMissExplainsEveryRuleAndExitsOne() {
        CliRun run = CliRun.of("route", file, "GET", "http://www.example.com:8080/home");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("1. video -> pool video: no,")
                .contains("3. billing -> pool billing: no, host \"www.example.com\" is not \"billing.example.com\"")
                .contains("4. beta -> pool video: no,")
                .contains("no route matches (404)");
    }

    @Test
    void aRewrittenPathIsShownAsTheBackendReceivesIt() {
        CliRun run = CliRun.of("route", file, "GET", "http://www.example.com:8080/api/users?id=1");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("route api, pool video").contains("the backend receives path /users");
    }

    @Test
    void headersTakePartInMatching() {
        CliRun run = CliRun.of("route", file, "get", "http://www.example.com:8080/home", "-H", "X-Beta: on");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("4. beta -> pool video: MATCH");
    }

    @Test
    void theListenerIsChosenByPortOrByName() {
        assertThat(CliRun.of("route", file, "GET", "http://localhost:8081/x").out()).contains("listener internal:");
        assertThat(CliRun.of("route", file, "GET", "http://localhost:9999/x", "--listener", "internal").out())
                .contains("route all, pool billing");
    }

    @Test
    void noListenerOnThePortIsInvalidInputListingTheListeners() {
        CliRun run = CliRun.of("route", file, "GET", "http://localhost:9999/x");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no http listener binds port 9999").contains("web http 0.0.0.0:8080");
    }

    @Test
    void dotSegmentsAreRoutedAsTheProxyRoutesThem() {
        CliRun run = CliRun.of("route", file, "GET", "http://www.example.com:8080/billing/../video/a");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("path \"/video/a\"").contains("route video, pool video");
    }

    @Test
    void badUrlsAndHeadersAreInvalidInput() {
        assertThat(CliRun.of("route", file, "GET", "/relative").err()).contains("absolute http://");
        assertThat(CliRun.of("route", file, "GET", "/relative").exitCode()).isEqualTo(1);
        assertThat(CliRun.of("route", file, "GET", "http://x:8080/", "-H", "no-colon").err())
                .contains("'Name: value'");
    }

    @Test
    void overHttp2TheDecisionIsTheSameAndAuthorityTakesHostsPlace() {
        CliRun http1 = CliRun.of("route", file, "GET", "http://billing.example.com:8080/pay/42");
        CliRun http2 = CliRun.of("route", file, "GET", "http://billing.example.com:8080/pay/42", "--http2");

        assertThat(http2.exitCode()).isZero();
        assertThat(http2.out()).contains("route billing, pool billing")
                .contains("over HTTP/2 (h2c with prior knowledge): the same decision, the request carrying "
                        + ":authority billing.example.com:8080 in Host's place");
        // The decision and the pool are printed as they are for HTTP/1.1; one line says how it arrives.
        assertThat(http2.out().lines().filter(line -> !line.startsWith("over HTTP/2")).toList())
                .isEqualTo(http1.out().lines().toList());
    }

    @Test
    void overHttp2AGivenHostIsTheAuthorityAndRoutesAsHostDoes() {
        CliRun run = CliRun.of("route", file, "GET", "http://127.0.0.1:8080/pay", "-H", "Host: billing.example.com",
                "--http2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("3. billing -> pool billing: MATCH")
                .contains(":authority billing.example.com in Host's place");
    }

    @Test
    void overHttp2ANoMatchIsStillANoMatch() {
        CliRun run = CliRun.of("route", file, "GET", "http://www.example.com:8081/x", "--listener", "web", "--http2");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("no route matches (404)").contains("over HTTP/2 (h2c with prior knowledge)");
    }

    @Test
    void overHttp2AListenerWithHttp2FalseSaysTheRequestMustComeAsHttp11() {
        CliRun run = CliRun.of("route", file, "GET", "http://localhost:8082/x", "--http2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("route all, pool billing")
                .contains("over HTTP/2: listener legacy has http2: false and refuses the h2c preface; "
                        + "the request must come as HTTP/1.1");
    }

    @Test
    void overHttp2AnHttpsListenerTakesItByAlpn() throws Exception {
        SelfSigned.Written site = SelfSigned.write("localhost", dir.resolve("certs"));
        String tls = Files.writeString(dir.resolve("tls.yaml"), """
                certificates: [{name: site, cert: %s, key: %s}]
                listeners:
                  - {name: web-tls, bind: 0.0.0.0:8443, protocol: https, certificates: [site],
                     routes: [{name: all, pool: web}]}
                  - {name: tls-h1, bind: 0.0.0.0:9443, protocol: https, certificates: [site], http2: false,
                     routes: [{name: all, pool: web}]}
                pools:
                  web:
                    servers: [{name: web-1, address: 127.0.0.1:9001}]
                """.formatted(site.cert(), site.key())).toString();

        assertThat(CliRun.of("route", tls, "GET", "https://shop.example.com/", "--listener", "web-tls", "--http2").out())
                .contains("over HTTP/2 (ALPN h2): the same decision, the request carrying :authority "
                        + "shop.example.com in Host's place");
        assertThat(CliRun.of("route", tls, "GET", "https://shop.example.com:9443/", "--http2").out())
                .contains("over HTTP/2: listener tls-h1 has http2: false, so ALPN settles on http/1.1 and the "
                        + "request arrives as HTTP/1.1, as above");
    }
}
