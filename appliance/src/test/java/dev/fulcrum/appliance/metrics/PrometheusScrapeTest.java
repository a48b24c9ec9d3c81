package dev.fulcrum.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.appliance.demo.Demo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a running demo: the admin listener's answer is one Prometheus
 * accepts (it asks for OpenMetrics), and the series operators rely on arrive.
 */
class PrometheusScrapeTest {

    /** One series of each kind: proxy, health, TLS, JVM, allocator, and Prometheus' own {@code up}. */
    private static final List<String> EXPECTED = List.of(
            "up{job=\"fulcrum\"} == 1",
            "fulcrum_http_requests_total{listener=\"web\",route=\"video\",code=\"2xx\"}",
            "fulcrum_http_requests_total{listener=\"web\",code=\"4xx\"}",
            "fulcrum_http_request_duration_seconds_bucket{listener=\"web\"}",
            "fulcrum_server_up{pool=\"video\"} == 1",
            "fulcrum_tls_handshakes_total{listener=\"web-tls\",result=\"success\"}",
            "fulcrum_tls_sessions_resumed_total{listener=\"web-tls\"}",
            "fulcrum_tcp_connections_total{listener=\"video-tcp\"}",
            "jvm_memory_used_bytes{area=\"heap\"}",
            "fulcrum_netty_allocator_memory_used_bytes{type=\"direct\"}");

    @TempDir
    Path dir;

    @Test
    void prometheusScrapesTheSeriesOfARunningFulcrum() throws Exception {
        PrometheusSupport.require();
        try (Metrics metrics = new Metrics(); Demo demo = DemoTraffic.startDemo(metrics)) {
            DemoTraffic.send(demo);
            try (PrometheusServer prometheus = PrometheusServer.start(dir, demo.appliance().adminAddress().getPort())) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !prometheus.query(EXPECTED.get(0)).isEmpty());

                // The first scrape that made the target up stored every series at once.
                for (String query : EXPECTED) {
                    assertThat(prometheus.query(query)).as(query).isNotEmpty();
                }
            }
        }
    }
}
