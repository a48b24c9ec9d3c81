package dev.fulcrum.appliance.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.Endpoint;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo as a person meets it: real sockets, the real proxy path, the admin listener. */
class DemoTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static Metrics metrics;
    private static Demo demo;
    private static String web;
    private static String admin;

    @BeforeAll
    static void start() throws Exception {
        metrics = new Metrics();
        demo = Demo.start(new Endpoint("127.0.0.1", 0), new Endpoint("127.0.0.1", 0), new Endpoint("127.0.0.1", 0),
                new Endpoint("127.0.0.1", 0),
                metrics);
        web = "http://127.0.0.1:" + demo.appliance().listenerAddress("web").getPort();
        admin = "http://127.0.0.1:" + demo.appliance().adminAddress().getPort();
    }

    @AfterAll
    static void stop() {
        demo.close();
        metrics.close();
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> servedBy(String url, int requests, String... headers) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(url, headers);
            assertThat(response.statusCode()).isEqualTo(200);
            names.add(response.headers().firstValue("x-served-by").orElseThrow());
        }
        return names;
    }

    @Test
    void videoIsBalancedOverBothVideoServers() throws Exception {
        List<String> names = servedBy(web + "/video/intro", 4);

        assertThat(names).containsOnly("video-1", "video-2").contains("video-1", "video-2");
        assertThat(get(web + "/video/intro").body()).matches("video-[12] answered GET /video/intro\n");
    }

    @Test
    void billingPathAndBillingHostBothReachTheBillingPool() throws Exception {
        assertThat(servedBy(web + "/billing/invoices", 4)).containsOnly("billing-1", "billing-2")
                .contains("billing-1", "billing-2");
        assertThat(rawGetWithHost("billing.localhost")).contains("HTTP/1.1 200")
                .containsPattern("(?i)x-served-by: billing-[12]");
    }

    @Test
    void billingIsStickyForAClientThatKeepsItsCookie() throws Exception {
        HttpResponse<String> first = get(web + "/billing/invoices");
        String cookie = first.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
        assertThat(cookie).startsWith("FULCRUM_BILLING=");
        String server = first.headers().firstValue("x-served-by").orElseThrow();
        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(web + "/billing/invoices", 1, "Cookie", cookie)).containsExactly(server);
        }
    }

    /** The JDK client will not set Host or Connection, so these requests are written by hand. */
    private static String rawGetWithHost(String host) throws Exception {
        return rawGet(demo.appliance().listenerAddress("web").getPort(), "Host: " + host + "\r\nConnection: close");
    }

    private static String rawGet(int port, String headers) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\n" + headers + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theTcpListenerSpreadsConnectionsOverTheVideoPool() throws Exception {
        int port = demo.appliance().listenerAddress("video-tcp").getPort();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // A connection each: layer 4 balances connections, not requests.
            answers.add(rawGet(port, "Host: x\r\nConnection: close"));
        }

        assertThat(answers).allMatch(a -> a.startsWith("HTTP/1.1 200")).anyMatch(a -> a.contains("video-1 answered"))
                .anyMatch(a -> a.contains("video-2 answered"));
    }

    @Test
    void anUnroutedPathIs404WithAReason() throws Exception {
        HttpResponse<String> response = get(web + "/elsewhere");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).containsIgnoringCase("no route");
    }

    @Test
    void metricsCountProxiedRequestsByRouteAndServer() throws Exception {
        servedBy(web + "/video/metrics-check", 2);

        String scrape = get(admin + "/metrics").body();

        assertThat(scrape).contains("fulcrum_http_requests_total{")
                .containsPattern("fulcrum_http_requests_total\\{[^}]*route=\"video\"[^}]*\\}")
                .contains("jvm_memory_used_bytes");
    }

    /** The scrape keeps Prometheus' naming rules; CI installs promtool, elsewhere this is skipped. */
    @Test
    void theScrapePassesPromtool() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool is not installed");
        servedBy(web + "/video/promtool", 2);
        get(web + "/elsewhere");
        String scrape = get(admin + "/metrics").body();

        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = promtool.getOutputStream()) {
            stdin.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.exitValue()).as(output).isZero();
    }

    @Test
    void hintsNameTheBoundPorts() {
        assertThat(demo.hints()).anySatisfy(hint -> assertThat(hint).contains(web + "/video"))
                .anySatisfy(hint -> assertThat(hint).contains(admin + "/metrics"));
    }

    @Test
    void templateRefusesANameWithoutAValue() {
        assertThatThrownBy(() -> Demo.render("bind: ${nowhere}", Map.of("web", "x")))
                .hasMessageContaining("${nowhere}");
    }
}
