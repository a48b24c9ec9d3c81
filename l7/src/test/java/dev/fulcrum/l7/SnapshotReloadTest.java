package dev.fulcrum.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.ConfigLoader;
import dev.fulcrum.config.FulcrumConfig;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.lbcore.pool.Pools;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new snapshot takes over from the one it replaces, and what the old one takes away when it closes. */
class SnapshotReloadTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EventLoops loops = new EventLoops(1, Transport.NIO);

    @AfterEach
    void close() {
        loops.close();
    }

    private static FulcrumConfig parse(String yaml) throws Exception {
        return ConfigLoader.parse("test.yaml", yaml, Path.of("."));
    }

    private L7Snapshot build(String yaml, L7Snapshot previous) throws Exception {
        FulcrumConfig config = parse(yaml);
        return L7Snapshot.build(config, Pools.build(config.pools(), previous == null ? Map.of() : previous.pools()),
                loops, registry, PassiveHealth.NONE, Map.of(), previous);
    }

    private static Route route(L7Snapshot snapshot, String name) {
        return snapshot.listener("web").router().routes().stream().filter(r -> r.name().equals(name))
                .findFirst().orElseThrow();
    }

    private static ConcurrencyLimit limit(L7Snapshot snapshot, String route) {
        return snapshot.listener("web").policy(route(snapshot, route)).concurrency();
    }

    private static String limited(int max) {
        return """
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    protocol: http
                    routes:
                      - {name: api, match: {path_prefix: /api}, pool: p, limits: {concurrent_requests: %d}}
                      - {name: other, pool: p}
                pools:
                  p:
                    servers: [{name: s1, address: 127.0.0.1:9}]
                """.formatted(max);
    }

    @Test
    void aRouteLimitCountsTheRequestsStillInFlightOnTheSnapshotItReplaced() throws Exception {
        L7Snapshot first = build(limited(2), null);
        assertThat(limit(first, "api").tryAcquire()).isTrue();
        assertThat(limit(first, "api").tryAcquire()).isTrue();

        L7Snapshot second = build(limited(2), first);
        assertThat(limit(second, "api").tryAcquire()).as("two in flight from before the reload").isFalse();
        limit(first, "api").release();
        assertThat(limit(second, "api").tryAcquire()).isTrue();
        assertThat(limit(second, "api").tryAcquire()).isFalse();

        // A new maximum applies to the same count.
        L7Snapshot third = build(limited(3), second);
        assertThat(limit(third, "api").inFlight()).isEqualTo(2);
        assertThat(limit(third, "api").tryAcquire()).isTrue();
        assertThat(limit(third, "api").tryAcquire()).isFalse();

        assertThat(limit(build(limited(0), third), "api")).as("no limit").isSameAs(ConcurrencyLimit.NONE);
        assertThat(limit(third, "other")).isSameAs(ConcurrencyLimit.NONE);
        first.close();
        second.close();
        third.close();
    }

    private static final String BEFORE = """
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - {name: kept, match: {path_prefix: /kept}, pool: p}
                  - {name: gone, match: {path_prefix: /gone}, pool: old}
            pools:
              p:
                servers: [{name: s1, address: 127.0.0.1:9}, {name: s2, address: 127.0.0.1:10}]
              old:
                sticky: {cookie: OLD}
                servers: [{name: o1, address: 127.0.0.1:11}]
            """;

    private static final String AFTER = """
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - {name: kept, match: {path_prefix: /kept}, pool: p}
            pools:
              p:
                servers: [{name: s1, address: 127.0.0.1:9}]
            """;

    private long series(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).meters().size();
    }

    @Test
    void theMetersOfRemovedRoutesAndServersLeaveWithTheOldSnapshot() throws Exception {
        L7Snapshot before = build(BEFORE, null);
        Route kept = route(before, "kept");
        before.listener("web").meters(kept, before.pools().get("p").server("s1")).record(200, 1_000_000);
        before.listener("web").retries(kept).increment();
        assertThat(series(MetricNames.HTTP_REQUESTS, MetricNames.TAG_ROUTE, "gone")).isPositive();
        assertThat(series(MetricNames.HTTP_REQUEST_DURATION, MetricNames.TAG_SERVER, "s2")).isPositive();
        assertThat(series(MetricNames.STICKY, MetricNames.TAG_POOL, "old")).isPositive();

        L7Snapshot after = build(AFTER, before);
        before.close();

        for (String name : new String[] {MetricNames.HTTP_REQUESTS, MetricNames.HTTP_REQUEST_DURATION,
                MetricNames.RETRIES}) {
            assertThat(series(name, MetricNames.TAG_ROUTE, "gone")).as(name + " of the removed route").isZero();
            assertThat(series(name, MetricNames.TAG_ROUTE, "kept")).as(name + " of the kept route").isPositive();
        }
        assertThat(series(MetricNames.HTTP_REQUESTS, MetricNames.TAG_SERVER, "s2")).isZero();
        assertThat(series(MetricNames.HTTP_REQUEST_DURATION, MetricNames.TAG_SERVER, "s2")).isZero();
        assertThat(series(MetricNames.STICKY, MetricNames.TAG_POOL, "old")).isZero();
        // Those kept are the same meters, still counting.
        assertThat(registry.get(MetricNames.HTTP_REQUESTS).tag(MetricNames.TAG_SERVER, "s1")
                .tag(MetricNames.TAG_CODE, "2xx").counter().count()).isEqualTo(1);
        assertThat(registry.get(MetricNames.RETRIES).tag(MetricNames.TAG_ROUTE, "kept").counter().count())
                .isEqualTo(1);

        after.close();
        assertThat(registry.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
                .doesNotContain(MetricNames.HTTP_REQUESTS, MetricNames.HTTP_REQUEST_DURATION, MetricNames.RETRIES);
    }

    @Test
    void anExchangeOutlastingItsSnapshotStillGetsItsAccessLogLine() throws Exception {
        Path log = dir.resolve("access.log");
        // A reload with the same access log.
        assertALineOutlastsTheSnapshot(log, yaml -> yaml);
    }

    @Test
    void anExchangeOutlastingItsSnapshotLogsToItsFileThoughTheReloadMovedTheLog() throws Exception {
        Path log = dir.resolve("access.log");
        Path moved = dir.resolve("moved.log");
        // A reload that writes the log elsewhere.
        assertALineOutlastsTheSnapshot(log, yaml -> yaml.replace(log.toString(), moved.toString()));
    }

    /**
     * Starts a slow exchange on a listener that logs to {@code log}, reloads to {@code reload}'s
     * configuration and ends the old snapshot's grace while the exchange runs: its line must still
     * reach {@code log}.
     */
    private void assertALineOutlastsTheSnapshot(Path log, UnaryOperator<String> reload) throws Exception {
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (ScriptedBackend slow = new ScriptedBackend(connection -> {
            connection.readHead();
            requested.countDown();
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        })) {
            String yaml = """
                    listeners:
                      - name: web
                        bind: 127.0.0.1:0
                        protocol: http
                        access_log: {format: json, path: %s}
                        routes: [{name: slow, pool: p}]
                    pools:
                      p:
                        servers: [{name: s1, address: 127.0.0.1:%d}]
                    """.formatted(log, slow.port());
            AtomicReference<L7Snapshot> current = new AtomicReference<>(build(yaml, null));
            HttpListener listener = HttpListener.start(parse(yaml).listener("web").orElseThrow(), loops,
                    current::get).get(10, TimeUnit.SECONDS);
            try (RawHttpClient client = new RawHttpClient(listener.localAddress())) {
                client.send(RawHttpClient.get("/slow", "example.com"));
                assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
                L7Snapshot old = current.getAndSet(build(reload.apply(yaml), current.get()));
                old.close();
                answer.countDown();
                assertThat(client.read().status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> Files.exists(log) && Files.readString(log).contains("\"uri\":\"/slow\""));
            } finally {
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                current.get().close();
            }
        }
    }
}
