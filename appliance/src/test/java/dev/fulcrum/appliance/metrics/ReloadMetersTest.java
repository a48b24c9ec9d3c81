package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload takes the series of removed routes, servers, pools and listeners off the scrape, and only those. */
class ReloadMetersTest {

    private static final String BEFORE = """
            admin: {bind: "127.0.0.1:0"}
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - {name: kept, match: {path_prefix: /kept}, pool: p}
                  - {name: gone, match: {path_prefix: /gone}, pool: q}
              - {name: pg, bind: 127.0.0.1:0, protocol: tcp, pool: p}
            pools:
              p:
                health_check: {type: tcp, interval: 1s, timeout: 500ms}
                outlier_detection: {consecutive_failures: 5}
                servers: [{name: s1, address: "127.0.0.1:9"}, {name: s2, address: "127.0.0.1:10"}]
              q:
                sticky: {cookie: Q}
                servers: [{name: q1, address: "127.0.0.1:11"}]
            """;

    private static final String AFTER = """
            admin: {bind: "127.0.0.1:0"}
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - {name: kept, match: {path_prefix: /kept}, pool: p}
            pools:
              p:
                health_check: {type: tcp, interval: 1s, timeout: 500ms}
                outlier_detection: {consecutive_failures: 5}
                servers: [{name: s1, address: "127.0.0.1:9"}]
            """;

    /** Series naming something the reload removed. */
    private static final List<String> REMOVED = List.of("route=\"gone\"", "server=\"s2\"", "pool=\"q\"",
            "listener=\"pg\"");

    private static FulcrumConfig parse(String yaml) throws Exception {
        return ConfigLoader.parse("test.yaml", yaml, Path.of("."));
    }

    private static List<String> series(Metrics metrics, String label) {
        return metrics.registry().scrape().lines().filter(line -> line.startsWith("fulcrum_"))
                .filter(line -> line.contains(label)).toList();
    }

    @Test
    void theSeriesOfRemovedThingsGoWhenTheReplacedSnapshotCloses() throws Exception {
        try (Metrics metrics = new Metrics(); Appliance appliance = Appliance.start(parse(BEFORE), metrics)) {
            for (String label : REMOVED) {
                assertThat(series(metrics, label)).as(label).isNotEmpty();
            }
            assertThat(series(metrics, "fulcrum_health_checks_total{").stream()
                    .anyMatch(l -> l.contains("server=\"s2\""))).isTrue();

            appliance.reload(parse(AFTER));
            // The replaced snapshot closes after its grace (10 s); until then its series stay.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (String label : REMOVED) {
                    assertThat(series(metrics, label)).as(label).isEmpty();
                }
            });
            for (String kept : List.of("fulcrum_http_requests_total{", "fulcrum_http_request_duration_seconds_bucket{",
                    "fulcrum_retries_total{", "fulcrum_server_up{", "fulcrum_server_connections_active{",
                    "fulcrum_health_checks_total{", "fulcrum_server_ejections_total{")) {
                assertThat(series(metrics, kept).stream().anyMatch(l -> l.contains("server=\"s1\"")
                        || l.contains("route=\"kept\""))).as(kept).isTrue();
            }
        }
    }
}
