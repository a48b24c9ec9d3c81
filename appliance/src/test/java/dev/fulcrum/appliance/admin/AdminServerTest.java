package dev.fulcrum.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.Endpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Metrics metrics;
    private AdminServer admin;
    private String base;

    @BeforeEach
    void start() throws InterruptedException {
        metrics = new Metrics();
        admin = AdminServer.start(new Endpoint("127.0.0.1", 0),
                Map.of("/metrics", new MetricsEndpoint(metrics.registry())));
        base = "http://127.0.0.1:" + admin.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        admin.close();
        metrics.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsArePrometheusTextWithJvmMeters() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/metrics")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(MetricsEndpoint.PROMETHEUS_TEXT);
        assertThat(response.body())
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("process_uptime_seconds")
                .doesNotContain("# EOF");
    }

    @Test
    void metricsAreOpenMetricsWhenAskedFor() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(MetricsEndpoint.OPENMETRICS_TEXT);
        assertThat(response.body()).endsWith("# EOF\n");
    }

    @Test
    void unknownPathIs404NamingTheEndpoints() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/nope")));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("/nope").contains("/metrics");
    }

    @Test
    void writeMethodsAreRefusedWith405() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/metrics"))).statusCode()).isEqualTo(200);
        }
    }
}
