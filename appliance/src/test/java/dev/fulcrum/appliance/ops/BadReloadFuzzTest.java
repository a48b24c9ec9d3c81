package dev.fulcrum.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.health.Backend;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutated files thrown at a running appliance's reload: a refused one never disturbs what runs. */
class BadReloadFuzzTest {

    private static final int MUTANTS = 40;
    private static final String[] NOISE = {":", "-", " ", "\n", "{", "]", "\"", "&a", "*a", "0", "-1", "\t", "~",
            "null", "0x10", "|", "? ", "/", ","};

    @TempDir
    Path dir;

    @Test
    void refusedReloadsLeaveTheRunningConfigurationServing() throws Exception {
        Random random = new Random(Long.getLong("fulcrum.fuzz.seed", 20261128L));
        try (Backend backend = new Backend("app-1"); Metrics metrics = new Metrics()) {
            String good = """
                    admin: {bind: "127.0.0.1:0"}
                    listeners:
                      - name: web
                        bind: "127.0.0.1:0"
                        protocol: http
                        routes: [{match: {path_prefix: "/"}, pool: app}]
                    pools:
                      app:
                        health_check: {type: http, path: /, interval: 1s, timeout: 500ms}
                        servers: [{name: app-1, address: "127.0.0.1:%d"}]
                    """.formatted(backend.port());
            Path file = dir.resolve("fulcrum.yaml");
            Files.writeString(file, good);
            try (Appliance appliance = Appliance.start(ConfigLoader.load(file), metrics, file)) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI uri = URI.create("http://127.0.0.1:" + appliance.listenerAddress("web").getPort() + "/x");
                int refused = 0;
                for (int i = 0; i < MUTANTS; i++) {
                    FulcrumConfig before = appliance.config();
                    String mutant = mutate(good, random);
                    Files.writeString(file, mutant);
                    boolean applied = appliance.reloadConfig("fuzz").get(30, TimeUnit.SECONDS);
                    if (!applied) {
                        refused++;
                        assertThat(appliance.config()).as("refused:%n%s", mutant).isSameAs(before);
                        HttpResponse<String> served = client.send(HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(served.statusCode()).as("after refusing:%n%s", mutant).isEqualTo(200);
                    }
                    // Back to the good file, so each mutant starts from a serving configuration.
                    Files.writeString(file, good);
                    assertThat(appliance.reloadConfig("fuzz: restore").get(30, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(refused).as("most mutants are refused").isGreaterThan(MUTANTS / 4);
            }
        }
    }

    private static String mutate(String text, Random random) {
        int at = random.nextInt(text.length());
        return switch (random.nextInt(3)) {
            case 0 -> text.substring(0, at) + text.substring(at + 1);
            case 1 -> text.substring(0, at) + NOISE[random.nextInt(NOISE.length)] + text.substring(at);
            default -> text.substring(0, at);
        };
    }
}
