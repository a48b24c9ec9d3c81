package dev.fulcrum.appliance.health;

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
import org.junit.jupiter.api.Test;

/** Without any active check, a server that resets real traffic is ejected and gets nothing more. */
class PassiveHealthTest {

    private final Metrics metrics = new Metrics();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Appliance appliance;
    private Backend a;
    private Backend b;

    @AfterEach
    void close() {
        if (appliance != null) {
            appliance.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        metrics.close();
    }

    @Test
    void aServerResettingEveryRequestIsEjectedAndNoRequestFails() throws Exception {
        a = new Backend("a");
        b = new Backend("b");
        a.mode(Backend.Mode.RESET);
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    outlier_detection: {consecutive_failures: 3, base_ejection: 1m}
                    servers:
                      - {name: a, address: "127.0.0.1:%d"}
                      - {name: b, address: "127.0.0.1:%d"}
                """.formatted(a.port(), b.port()), Path.of(".")), metrics);
        URI uri = URI.create("http://127.0.0.1:" + appliance.listenerAddress("web").getPort() + "/");
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(response.body()).isEqualTo("b");
        }
        assertThat(a.requests()).as("three resets, then ejected").isEqualTo(3);
        assertThat(metrics.registry().get("fulcrum.server.ejections").tag("server", "a").counter().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("fulcrum.server.up").tag("server", "a").gauge().value()).isZero();
        assertThat(metrics.registry().get("fulcrum.server.up").tag("server", "b").gauge().value()).isEqualTo(1);
    }
}
