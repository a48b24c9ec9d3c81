package dev.fulcrum.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A full server makes requests wait in its pool's queue, bounded in length and time; routes cap concurrency. */
class OverloadTest {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Metrics metrics = new Metrics();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Appliance appliance;

    @AfterEach
    void close() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        metrics.close();
    }

    private Backend backend(String name) throws Exception {
        Backend backend = new Backend(name);
        resources.add(backend);
        return backend;
    }

    private void start(String yaml) throws Exception {
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", yaml, Path.of(".")), metrics);
    }

    private CompletableFuture<HttpResponse<String>> send(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + appliance.listenerAddress("web").getPort() + path)).timeout(Duration.ofSeconds(20)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String config(Backend backend, String poolExtras, String routeExtras) {
        return """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{name: r, pool: app%s}]}
                pools:
                  app:
                %s
                    servers: [{name: a, address: "127.0.0.1:%d", max_connections: 1}]
                """.formatted(routeExtras, poolExtras, backend.port());
    }

    @Test
    void aRequestWaitsForAFullServerAndAFullQueueAnswers503() throws Exception {
        Backend a = backend("a");
        start(config(a, "    max_pending: 1\n    queue_timeout: 10s", ""));
        a.mode(Backend.Mode.HOLD);
        CompletableFuture<HttpResponse<String>> first = send("/1");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.holding() == 1);
        CompletableFuture<HttpResponse<String>> queued = send("/2");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> a.requests() == 1 && !queued.isDone());
        HttpResponse<String> overflow = send("/3").get(10, TimeUnit.SECONDS);
        assertThat(overflow.statusCode()).isEqualTo(503);
        assertThat(overflow.body()).contains("queue is full");
        a.release();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(a.requests()).isEqualTo(2);
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutIsAnswered503() throws Exception {
        Backend a = backend("a");
        start(config(a, "    max_pending: 5\n    queue_timeout: 400ms", ""));
        a.mode(Backend.Mode.HOLD);
        CompletableFuture<HttpResponse<String>> first = send("/1");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.holding() == 1);
        HttpResponse<String> waited = send("/2").get(10, TimeUnit.SECONDS);
        assertThat(waited.statusCode()).isEqualTo(503);
        assertThat(waited.body()).contains("within the queue timeout");
        a.release();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(a.requests()).isEqualTo(1);
    }

    @Test
    void aRouteAtItsConcurrencyLimitAnswers503() throws Exception {
        Backend a = backend("a");
        start(config(a, "    max_pending: 5", ", limits: {concurrent_requests: 1}"));
        a.mode(Backend.Mode.HOLD);
        CompletableFuture<HttpResponse<String>> first = send("/1");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.holding() == 1);
        HttpResponse<String> busy = send("/2").get(10, TimeUnit.SECONDS);
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.body()).contains("route r is at its limit of concurrent requests");
        a.release();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> after = send("/3").get(10, TimeUnit.SECONDS);
        assertThat(after.statusCode()).as("the slot was given back: %s", after.body()).isEqualTo(200);
    }
}
