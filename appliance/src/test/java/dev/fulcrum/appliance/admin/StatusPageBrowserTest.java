package dev.fulcrum.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page as a browser runs it: its script fetches the API and renders every pool and
 * server, with a drained server shown draining. Screenshots (desktop and phone) are left under
 * {@code target/status-page/} for a person to look at.
 */
class StatusPageBrowserTest {

    private static final String TOKEN = "a-test-token-for-the-admin-api";
    // Surefire runs tests in the module's directory: this is the module's build output.
    private static final Path SCREENSHOTS = Path.of("target", "status-page");
    private static final Pattern SERVER_ROW =
            Pattern.compile("<tr\\b[^>]*\\bdata-server=\"([^\"]*)\"[^>]*>(.*?)</tr>", Pattern.DOTALL);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Metrics metrics = new Metrics();
    private Chromium chromium;
    private Backend one;
    private Backend two;
    private Appliance appliance;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        chromium = Chromium.require(dir.resolve("profile"));
        one = new Backend("app-1");
        two = new Backend("app-2");
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0", token_file: admin.token}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{name: all, pool: app}]}
                pools:
                  app:
                    servers:
                      - {name: app-1, address: "127.0.0.1:%d"}
                      - {name: app-2, address: "127.0.0.1:%d"}
                """.formatted(one.port(), two.port()), dir), metrics);
    }

    @AfterEach
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
        if (one != null) {
            one.close();
        }
        if (two != null) {
            two.close();
        }
        metrics.close();
    }

    @Test
    void showsEveryServerOfThePoolAndTheDrainedOneAsDraining() throws Exception {
        String admin = "http://127.0.0.1:" + appliance.adminAddress().getPort();
        // Some traffic first, so the tables show counts and latencies.
        String web = "http://127.0.0.1:" + appliance.listenerAddress("web").getPort() + "/";
        for (int i = 0; i < 4; i++) {
            assertThat(send(HttpRequest.newBuilder(URI.create(web))).statusCode()).isEqualTo(200);
        }

        URI drainApp2 = URI.create(admin + "/api/v1/pools/app/servers/app-2/drain");
        HttpResponse<String> drain = send(HttpRequest.newBuilder(drainApp2)
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);
        assertThat(drain.body()).contains("\"state\":\"draining\"");

        String dom = chromium.dumpDom(admin + "/status", 5000);

        assertThat(dom).contains("data-pool=\"app\"");
        assertThat(serverRows(dom)).containsOnlyKeys("app-1", "app-2");
        assertThat(serverRows(dom).get("app-1")).contains("data-state=\"up\"");
        assertThat(serverRows(dom).get("app-2")).contains("data-state=\"draining\"")
                .contains("draining by the admin API");
        // The polls succeeded: no stale notice.
        assertThat(dom).contains("data-stale=\"false\"").containsPattern("<div id=\"notice\"[^>]*\\bhidden\\b");
        assertThat(dom).contains("data-listener=\"web\"");
        // The http listener takes h2c, and its four requests came over HTTP/1.1 (the test's client).
        assertThat(dom).containsPattern("<td data-http2=\"on\">on \\(h2c\\)</td>")
                .containsPattern("<td>h2 0 · http/1.1 [1-4]</td>");

        Files.createDirectories(SCREENSHOTS);
        Path desktop = SCREENSHOTS.resolve("status-1280x900.png");
        Path phone = SCREENSHOTS.resolve("status-390x844.png");
        Files.deleteIfExists(desktop);
        Files.deleteIfExists(phone);
        chromium.screenshot(admin + "/status", desktop, 1280, 900, 5000);
        chromium.screenshot(admin + "/status", phone, 390, 844, 5000);
        for (Path png : new Path[] {desktop, phone}) {
            assertThat(png).exists();
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
            // A blank page of that size compresses to a few KB; a rendered one is tens of KB.
            assertThat(bytes.length).as(png + " size").isGreaterThan(15_000);
        }
    }

    /** Server name to the row's HTML, from the serialized DOM. */
    private static Map<String, String> serverRows(String dom) {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher matcher = SERVER_ROW.matcher(dom);
        while (matcher.find()) {
            assertThat(rows.put(matcher.group(1), matcher.group(2))).as("rows of " + matcher.group(1)).isNull();
        }
        return rows;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
