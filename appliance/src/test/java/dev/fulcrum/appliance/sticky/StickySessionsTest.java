package dev.fulcrum.appliance.sticky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.lbcore.pool.AdminState;
import dev.fulcrum.lbcore.pool.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients pinned by an authenticated cookie stay on their server, and move only when it cannot serve them. */
class StickySessionsTest {

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Backend> backends = new ArrayList<>();
    private Appliance appliance;

    @AfterEach
    void close() {
        if (appliance != null) {
            appliance.close();
        }
        backends.forEach(Backend::close);
        metrics.close();
    }

    private void start(int servers, String sticky, String poolExtras) throws Exception {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < servers; i++) {
            Backend backend = new Backend("s" + (i + 1));
            backends.add(backend);
            list.append("      - {name: ").append(backend.name()).append(", address: \"127.0.0.1:")
                    .append(backend.port()).append("\"}\n");
        }
        Files.writeString(dir.resolve("sticky.key"), "a-sticky-key-shared-by-both-nodes\n");
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    sticky: %s
                    %s
                    servers:
                %s""".formatted(sticky, poolExtras, list), dir), metrics);
    }

    /** One request with this cookie header (or none). */
    private HttpResponse<String> get(String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + appliance.listenerAddress("web").getPort() + "/")).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    /** The name=value part of the first Set-Cookie, or null. */
    private static String pin(HttpResponse<String> response) {
        return response.headers().firstValue("Set-Cookie").map(v -> v.split(";", 2)[0]).orElse(null);
    }

    private double sticky(String result) {
        return metrics.registry().get("fulcrum.sticky").tag("pool", "app").tag("result", result).counter().count();
    }

    private Server server(String name) {
        return appliance.pools().get("app").server(name);
    }

    @Test
    void aThousandClientsEachStayOnOneServerForTwentyRequests() throws Exception {
        start(3, "{cookie: FULCRUM}", "");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> clients = new ArrayList<>();
            for (int c = 0; c < 1_000; c++) {
                clients.add(threads.submit(() -> {
                    HttpResponse<String> first = get(null);
                    String cookie = pin(first);
                    assertThat(cookie).startsWith("FULCRUM=");
                    for (int i = 1; i < 20; i++) {
                        HttpResponse<String> next = get(cookie);
                        assertThat(next.body()).isEqualTo(first.body());
                        assertThat(next.headers().firstValue("Set-Cookie")).as("a hit sets nothing").isEmpty();
                    }
                    return first.body();
                }));
            }
            Map<String, Integer> perServer = new HashMap<>();
            for (Future<String> c : clients) {
                perServer.merge(c.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertThat(perServer.keySet()).containsExactlyInAnyOrder("s1", "s2", "s3");
        } finally {
            threads.shutdownNow();
        }
        assertThat(sticky("miss")).isEqualTo(1_000);
        assertThat(sticky("hit")).isEqualTo(19_000);
        assertThat(backends.stream().mapToInt(Backend::requests).sum()).isEqualTo(20_000);
        assertThat(backends).allSatisfy(b -> assertThat(b.lastCookie()).as("the pin never reaches a backend")
                .isNull());
    }

    @Test
    void killingAServerMovesOnlyItsClients() throws Exception {
        start(3, "{cookie: FULCRUM}", "health_check: {type: tcp, interval: 100ms, timeout: 80ms, rise: 1, fall: 1}");
        Map<String, String> serverOf = new HashMap<>();
        for (int c = 0; c < 60; c++) {
            HttpResponse<String> first = get(null);
            serverOf.put(pin(first), first.body());
        }
        backends.get(0).stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !server("s1").isHealthy());
        int moved = 0;
        for (Map.Entry<String, String> client : serverOf.entrySet()) {
            HttpResponse<String> after = get(client.getKey());
            if (client.getValue().equals("s1")) {
                moved++;
                assertThat(after.body()).isNotEqualTo("s1");
                String repinned = pin(after);
                assertThat(repinned).as("re-pinned to its new server").isNotNull();
                assertThat(get(repinned).body()).isEqualTo(after.body());
            } else {
                assertThat(after.body()).as("clients of live servers stay").isEqualTo(client.getValue());
                assertThat(pin(after)).isNull();
            }
        }
        assertThat(moved).isPositive();
        assertThat(sticky("repin")).isEqualTo(moved);
    }

    @Test
    void forgedTamperedAndExpiredCookiesCountAsNoCookie() throws Exception {
        start(2, "{cookie: FULCRUM, ttl: 1h}", "");
        String good = pin(get(null));
        String value = good.substring("FULCRUM=".length());
        String[] parts = value.split("\\.");
        List<String> bad = List.of(
                "FULCRUM=garbage",
                "FULCRUM=" + parts[0] + "." + parts[1] + "." + "A" + parts[2].substring(1),
                "FULCRUM=" + parts[0] + "." + (Long.parseLong(parts[1]) + 3600) + "." + parts[2],
                "FULCRUM=" + "AAAAAAAAAAAA" + "." + parts[1] + "." + parts[2],
                "FULCRUM=" + parts[0] + ".1." + parts[2],
                "FULCRUM=" + parts[0] + "..");
        for (String cookie : bad) {
            HttpResponse<String> response = get(cookie);
            assertThat(pin(response)).as("%s is replaced by a fresh pin", cookie).isNotNull();
        }
        assertThat(sticky("invalid")).isEqualTo(bad.size());
        assertThat(get(good).headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void aDrainingServerKeepsItsClientsAndGetsNoNewOnes() throws Exception {
        start(2, "{cookie: FULCRUM}", "");
        Map<String, String> serverOf = new HashMap<>();
        for (int c = 0; c < 20; c++) {
            HttpResponse<String> first = get(null);
            serverOf.put(pin(first), first.body());
        }
        server("s1").setAdminState(AdminState.DRAINING, "drained by a test");
        int before = backends.get(0).requests();
        for (int c = 0; c < 20; c++) {
            assertThat(get(null).body()).as("new clients").isEqualTo("s2");
        }
        int pinnedToS1 = 0;
        for (Map.Entry<String, String> client : serverOf.entrySet()) {
            assertThat(get(client.getKey()).body()).isEqualTo(client.getValue());
            pinnedToS1 += client.getValue().equals("s1") ? 1 : 0;
        }
        assertThat(backends.get(0).requests() - before).isEqualTo(pinnedToS1);
        server("s1").setAdminState(AdminState.DISABLED, "disabled by a test");
        for (Map.Entry<String, String> client : serverOf.entrySet()) {
            assertThat(get(client.getKey()).body()).as("disabled: nobody").isEqualTo("s2");
        }
    }

    @Test
    void theCookieCarriesItsAttributes() throws Exception {
        start(1, "{cookie: FULCRUM, ttl: 1h, secure: true, same_site: strict, domain: example.com, path: /app}", "");
        String setCookie = get(null).headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("FULCRUM=").contains("; Max-Age=3600", "; Expires=", "; Path=/app",
                "; Domain=example.com", "; Secure", "; HTTPOnly", "; SameSite=Strict");
        assertThat(setCookie).doesNotContain("127.0.0.1").doesNotContain(String.valueOf(backends.get(0).port()));
    }

    @Test
    void prefixModeRoundTripsTheApplicationsCookie() throws Exception {
        start(2, "{cookie: JSESSIONID, mode: prefix}", "");
        backends.forEach(b -> b.setCookie("JSESSIONID=abc123; Path=/; HttpOnly"));
        HttpResponse<String> first = get(null);
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("JSESSIONID=[A-Za-z0-9_-]+\\.0\\.[A-Za-z0-9_-]+~abc123; Path=/; HttpOnly");
        String cookie = setCookie.split(";", 2)[0];
        backends.forEach(b -> b.setCookie(null));
        for (int i = 0; i < 5; i++) {
            assertThat(get(cookie + "; other=1").body()).isEqualTo(first.body());
        }
        Backend answered = backends.stream().filter(b -> b.name().equals(first.body())).findFirst().orElseThrow();
        assertThat(answered.lastCookie()).as("the application sees its own value").isEqualTo("JSESSIONID=abc123; other=1");
        // Tampering with the application's value breaks the pin, not the request.
        get("JSESSIONID=" + cookie.substring("JSESSIONID=".length()).replace("abc123", "abc124"));
        assertThat(sticky("invalid")).isEqualTo(1);
    }
}
