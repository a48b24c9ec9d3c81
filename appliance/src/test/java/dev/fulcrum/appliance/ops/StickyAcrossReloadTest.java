package dev.fulcrum.appliance.ops;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sticky pin made before a reload still holds after it, even without a key file. */
class StickyAcrossReloadTest {

    @TempDir
    Path dir;

    @Test
    void pinsSurviveAReload() throws Exception {
        try (Backend a = new Backend("a"); Backend b = new Backend("b"); Metrics metrics = new Metrics()) {
            Path file = dir.resolve("fulcrum.yaml");
            String yaml = """
                    admin: {bind: "127.0.0.1:0"}
                    listeners:
                      - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: app}]}
                    pools:
                      app:
                        sticky: {cookie: LB}
                        servers:
                          - {name: a, address: "127.0.0.1:%d"}
                          - {name: b, address: "127.0.0.1:%d"}
                    """.formatted(a.port(), b.port());
            Files.writeString(file, yaml);
            try (Appliance appliance = Appliance.start(ConfigLoader.load(file), metrics, file)) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI uri = URI.create("http://127.0.0.1:" + appliance.listenerAddress("web").getPort() + "/");
                HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String cookie = first.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];

                Files.writeString(file, yaml.replace("sticky: {cookie: LB}", "sticky: {cookie: LB}\n    balance: random"));
                appliance.reload(ConfigLoader.load(file));

                for (int i = 0; i < 10; i++) {
                    HttpResponse<String> pinned = client.send(HttpRequest.newBuilder(uri).header("Cookie", cookie)
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(pinned.body()).isEqualTo(first.body());
                }
            }
        }
    }
}
