package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.lbcore.pool.AdminState;
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

/** The admin API on a running appliance: reads, the bearer token, server actions, weight, reload. */
class AdminApiTest {

    static final String TOKEN = "s3cret-admin-token";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private Backend one;
    private Backend two;
    private Metrics metrics;
    private Appliance appliance;
    private Path file;
    private String admin;

    @BeforeEach
    void start() throws Exception {
        one = new Backend("one");
        two = new Backend("two");
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        file = dir.resolve("fulcrum.yaml");
        Files.writeString(file, config("/"));
        metrics = new Metrics();
        appliance = Appliance.start(ConfigLoader.load(file), metrics, file);
        admin = "http://127.0.0.1:" + appliance.adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        appliance.close();
        metrics.close();
        one.close();
        two.close();
    }

    private String config(String prefix) {
        return """
                admin: {bind: "127.0.0.1:0", token_file: admin.token}
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: http
                    routes: [{name: app, match: {path_prefix: "%s"}, pool: app}]
                pools:
                  app:
                    servers:
                      - {name: one, address: "127.0.0.1:%d"}
                      - {name: two, address: "127.0.0.1:%d"}
                """.formatted(prefix, one.port(), two.port());
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    @Test
    void mutatingCallsNeedTheBearerToken() throws Exception {
        HttpResponse<String> none = post("/api/v1/pools/app/servers/one/drain", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(post("/api/v1/pools/app/servers/one/drain", "wrong").statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/reload", TOKEN.substring(1)).statusCode()).isEqualTo(401);
        assertThat(appliance.pools().get("app").server("one").adminState()).isEqualTo(AdminState.ENABLED);

        assertThat(post("/api/v1/pools/app/servers/one/drain", TOKEN).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/pools"))).statusCode())
                .as("reads need no token").isEqualTo(200);
    }

    @Test
    void drainEnableAndDisableChangeTheServersAdminState() throws Exception {
        HttpResponse<String> drained = post("/api/v1/pools/app/servers/one/drain", TOKEN);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(drained.body()).contains("\"name\":\"one\"").contains("\"state\":\"draining\"");
        assertThat(appliance.pools().get("app").server("one").adminState()).isEqualTo(AdminState.DRAINING);

        assertThat(post("/api/v1/pools/app/servers/one/disable", TOKEN).body()).contains("\"state\":\"disabled\"");
        assertThat(post("/api/v1/pools/app/servers/one/enable", TOKEN).body()).contains("\"state\":\"up\"");
        assertThat(appliance.pools().get("app").server("one").adminState()).isEqualTo(AdminState.ENABLED);

        assertThat(post("/api/v1/pools/nope/servers/one/drain", TOKEN).statusCode()).isEqualTo(404);
        assertThat(post("/api/v1/pools/app/servers/nope/drain", TOKEN).body()).contains("no server 'nope'");
        assertThat(send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/pools/app/servers/one/drain")))
                .statusCode()).as("GET on a POST route").isEqualTo(405);
    }

    @Test
    void poolsAndStatusAreJson() throws Exception {
        HttpResponse<String> pools = send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/pools")));
        assertThat(pools.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(pools.body()).startsWith("{\"pools\":[{\"name\":\"app\"").contains("\"servers_total\":2");
        HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/status")));
        assertThat(status.body()).contains("\"listeners\":[{\"name\":\"web\"").contains("\"bound\":\"127.0.0.1:");
        assertThat(send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/pools/nope"))).statusCode())
                .isEqualTo(404);
    }

    @Test
    void weightIsSetAndBadBodiesAreRefused() throws Exception {
        HttpResponse<String> set = send(HttpRequest.newBuilder(URI.create(admin + "/api/v1/pools/app/servers/two/weight"))
                .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofString("{\"weight\": 40}")));
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(appliance.pools().get("app").server("two").weight()).isEqualTo(40);
        assertThat(appliance.pools().get("app").server("one").weight()).isEqualTo(100);

        for (String body : new String[] {"", "{\"weight\": 0}", "{\"weight\": \"heavy\"}", "[1]", "{\"weight\": 5, \"x\": 1}"}) {
            HttpResponse<String> refused = send(HttpRequest.newBuilder(
                    URI.create(admin + "/api/v1/pools/app/servers/two/weight"))
                    .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
        }
        assertThat(appliance.pools().get("app").server("two").weight()).isEqualTo(40);
    }

    @Test
    void aBadFileIsRefusedWithItsPositionsAndTheRunningConfigurationStays() throws Exception {
        Files.writeString(file, config("/").replace("path_prefix", "path_prefx"));
        HttpResponse<String> refused = post("/api/v1/reload", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("the running one stays")
                .contains(file + ":6:34: listeners[0].routes[0].match.path_prefx: unknown key 'path_prefx'");
        assertThat(appliance.config().listeners().get(0).routes().get(0).match().toString()).contains("/");
        assertThat(metrics.registry().get("fulcrum.config.reloads").tag("result", "failure").counter().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("fulcrum.config.last.reload.successful").gauge().value()).isZero();

        Files.writeString(file, config("/v2"));
        HttpResponse<String> applied = post("/api/v1/reload", TOKEN);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(appliance.config().listeners().get(0).routes().get(0).match().toString()).contains("/v2");
        assertThat(metrics.registry().get("fulcrum.config.reloads").tag("result", "success").counter().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("fulcrum.config.last.reload.successful").gauge().value()).isEqualTo(1);
    }
}
