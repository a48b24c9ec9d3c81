package dev.fulcrum.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.appliance.Appliance;
import dev.fulcrum.appliance.Metrics;
import dev.fulcrum.config.ConfigLoader;
import io.micrometer.core.instrument.search.Search;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active checks take a dead server out fast, keep it out while it fails, and let it back in after rise passes. */
class ActiveHealthTest {

    private static final String CHECK = "health_check: {type: http, path: /healthz, interval: 100ms, timeout: 80ms,"
            + " rise: 2, fall: 2}";

    private final Metrics metrics = new Metrics();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService load = Executors.newSingleThreadExecutor();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private Appliance appliance;

    @AfterEach
    void close() throws Exception {
        load.shutdownNow();
        assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (appliance != null) {
            appliance.close();
        }
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        metrics.close();
    }

    private Backend backend(String name) throws Exception {
        Backend backend = new Backend(name);
        resources.add(backend);
        return backend;
    }

    private void start(String poolExtras, Backend... backends) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (Backend backend : backends) {
            servers.append("      - {name: ").append(backend.name()).append(", address: \"127.0.0.1:")
                    .append(backend.port()).append("\"}\n");
        }
        appliance = Appliance.start(ConfigLoader.parse("test.yaml", """
                admin: {bind: "127.0.0.1:0"}
                listeners:
                  - {name: web, bind: "127.0.0.1:0", protocol: http, routes: [{pool: app}]}
                pools:
                  app:
                    %s
                    %s
                    servers:
                %s""".formatted(CHECK, poolExtras, servers), Path.of(".")), metrics);
    }

    private HttpResponse<String> get() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + appliance.listenerAddress("web").getPort() + "/");
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double up(String server) {
        return metrics.registry().get("fulcrum.server.up").tag("server", server).gauge().value();
    }

    private double transitions(String server) {
        return Search.in(metrics.registry()).name("fulcrum.server.transitions").tag("server", server).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    /** Sends requests one after another until stopped (or 20 s, or 20,000 requests), counting failures. */
    private Future<?> steadyLoad(AtomicBoolean running, AtomicInteger sent, List<String> failures) {
        return load.submit(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (running.get() && sent.get() < 20_000 && System.nanoTime() < end) {
                try {
                    HttpResponse<String> response = get();
                    sent.incrementAndGet();
                    if (response.statusCode() != 200) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
    }

    @Test
    void aKilledServerIsOutWithinIntervalTimesFallAndBackAfterRisePasses() throws Exception {
        Backend a = backend("a");
        Backend b = backend("b");
        // Passive detection off: this measures the active checks alone.
        start("slow_start: 1s\n    outlier_detection: {consecutive_failures: 0}", a, b);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Future<?> traffic = steadyLoad(running, sent, failures);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.requests() > 5 && b.requests() > 5);

        long killed = System.nanoTime();
        a.stop();
        // fall x interval, plus a timeout and a little scheduling slack.
        await().atMost(Duration.ofMillis(1_500)).until(() -> up("a") == 0);
        long outMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertThat(metrics.registry().get("fulcrum.server.transitions").tag("server", "a").tag("to", "down")
                .tag("cause", "health_check").counter().count()).isEqualTo(1);

        // Listening again but still failing its checks: it stays out and gets no request.
        a.healthStatus(500);
        a.start();
        int before = a.requests();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> a.requests() == before);
        assertThat(up("a")).isZero();

        a.healthStatus(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> up("a") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.requests() > before + 5);

        running.set(false);
        traffic.get(30, TimeUnit.SECONDS);
        assertThat(failures).as("requests failed while a died (out after %d ms)", outMillis).isEmpty();
        assertThat(sent.get()).isGreaterThan(20);
    }

    @Test
    void aFlappingServerDoesNotChangeState() throws Exception {
        Backend a = backend("a");
        Backend b = backend("b");
        start("", a, b);
        a.flap(true);
        int checksBefore = a.checks();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.checks() >= checksBefore + 10);
        assertThat(transitions("a")).isZero();
        assertThat(up("a")).isEqualTo(1);
    }

    @Test
    void withNoServerUpFailFastAnswers503() throws Exception {
        Backend a = backend("a");
        start("", a);
        a.healthStatus(500);
        await().atMost(Duration.ofSeconds(3)).until(() -> up("a") == 0);
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("no server available in pool app");
        assertThat(a.requests()).isZero();
    }

    @Test
    void withNoServerUpPanicSendsToThemAnyway() throws Exception {
        Backend a = backend("a");
        start("when_all_down: panic", a);
        a.healthStatus(500);
        await().atMost(Duration.ofSeconds(3)).until(() -> up("a") == 0);
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("a");
        assertThat(metrics.registry().get("fulcrum.pool.panic").tag("pool", "app").gauge().value()).isEqualTo(1);
        assertThat(metrics.registry().get("fulcrum.pool.panic.picks").tag("pool", "app").functionCounter().count())
                .isEqualTo(1);
    }
}
