package dev.fulcrum.health;

import static dev.fulcrum.lbcore.metrics.MetricNames.FAIL;
import static dev.fulcrum.lbcore.metrics.MetricNames.HEALTH_CHECKS;
import static dev.fulcrum.lbcore.metrics.MetricNames.HEALTH_CHECK_DURATION;
import static dev.fulcrum.lbcore.metrics.MetricNames.PASS;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_POOL;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_RESULT;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Endpoint;
import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.config.HealthCheckType;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.config.StatusRange;
import dev.fulcrum.lbcore.EventLoops;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.health.ProbeTarget.Reply;
import dev.fulcrum.lbcore.pool.Pool;
import dev.fulcrum.lbcore.pool.Pools;
import dev.fulcrum.lbcore.pool.Server;
import dev.fulcrum.lbcore.pool.Transition;
import dev.fulcrum.testing.LeakReports;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active health checks against real servers on 127.0.0.1. */
class ActiveHealthChecksTest {

    private static final String POOL = "web";
    private static final String SERVER = "web-1";

    /** A transition, and how many checks had passed when it happened. */
    private record Seen(Transition transition, double passesBefore) {
    }

    private static SslContext serverTls;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Seen> transitions = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EventLoops loops;
    private ActiveHealthChecks checks;

    @BeforeAll
    @SuppressWarnings("deprecation") // netty-pkitesting, its replacement, is not a dependency
    static void certificate() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("health.example");
        try {
            serverTls = SslContextBuilder.forServer(certificate.key(), certificate.cert())
                    .sslProvider(SslProvider.JDK)
                    .build();
        } finally {
            certificate.delete();
        }
    }

    @BeforeEach
    void start() {
        LeakReports.reset();
        loops = new EventLoops(2, Transport.select());
    }

    @AfterEach
    void stop() throws Exception {
        if (checks != null) {
            checks.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        loops.close();
        LeakReports.assertNone();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    private static ConditionFactory within(long seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(10));
    }

    // ---- fixture ----------------------------------------------------------------------------------

    private static PoolConfig pool(String name, Optional<HealthCheckConfig> check, int port) {
        return new PoolConfig(name, Balance.ROUND_ROBIN, Optional.empty(), check,
                List.of(new ServerConfig(name + "-1", new Endpoint("127.0.0.1", port), ServerConfig.DEFAULT_WEIGHT, 0,
                        Location.NONE)), Location.NONE);
    }

    /** Starts checking the one server of pool "web", at the target's port; returns that server. */
    private Server check(ProbeTarget target, CheckSpec spec) {
        return check(Map.of(POOL, pool(POOL, Optional.of(spec.build()), target.port())));
    }

    private Server check(Map<String, PoolConfig> configs) {
        Map<String, Pool> pools = Pools.build(configs);
        Server server = pools.get(POOL).server(SERVER);
        server.reportTo((changed, transition) -> transitions.add(new Seen(transition, passes())));
        checks = ActiveHealthChecks.start(pools, configs, loops, registry);
        return server;
    }

    private double passes() {
        return count(PASS);
    }

    private double failures() {
        return count(FAIL);
    }

    private double count(String result) {
        return registry.get(HEALTH_CHECKS).tags(TAG_POOL, POOL, TAG_SERVER, SERVER, TAG_RESULT, result).counter()
                .count();
    }

    private Seen awaitTransition(int number) {
        within(5).until(() -> transitions.size() >= number);
        return transitions.get(number - 1);
    }

    // ---- tcp ---------------------------------------------------------------------------------------

    @Test
    void tcpTakesAServerDownWhenItsPortClosesAndUpWhenItReopens() {
        ProbeTarget target = closing(ProbeTarget.silent());
        Server server = check(target, CheckSpec.of(HealthCheckType.TCP));
        within(5).until(() -> passes() >= 2);
        assertThat(server.isHealthy()).isTrue();

        target.stopListening();
        Seen down = awaitTransition(1);
        assertThat(server.isHealthy()).isFalse();
        assertThat(down.transition().reason()).isEqualTo("2 failed checks: connection refused");

        target.listenAgain();
        Seen up = awaitTransition(2);
        assertThat(server.isHealthy()).isTrue();
        assertThat(up.transition().reason()).isEqualTo("2 passed checks");
    }

    // ---- http --------------------------------------------------------------------------------------

    @Test
    void httpPassesOnAnExpectedStatusAndSendsTheRequestAsConfigured() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, "fine")));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).path("/healthz"));
        within(5).until(() -> passes() >= 3);
        assertThat(failures()).isZero();
        assertThat(server.isHealthy()).isTrue();
        assertThat(target.requests().get(0)).isEqualTo(new ProbeTarget.Seen("GET", "/healthz",
                "127.0.0.1:" + target.port(), "fulcrum-health-check", "close"));

        // Meters exist once per server, not per check; durations go into a few fixed buckets.
        assertThat(registry.find(HEALTH_CHECKS).counters()).hasSize(2);
        Timer duration = registry.get(HEALTH_CHECK_DURATION).tags(TAG_POOL, POOL, TAG_SERVER, SERVER).timer();
        assertThat(registry.find(HEALTH_CHECK_DURATION).timers()).hasSize(1);
        assertThat(duration.count()).isGreaterThanOrEqualTo(3);
        assertThat(duration.takeSnapshot().histogramCounts()).hasSize(CheckMeters.BUCKETS.length);
    }

    @Test
    void aPassingCheckEndsAPassiveEjection() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, "fine")));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).path("/healthz"));
        within(5).until(() -> passes() >= 1);
        server.setEjected(true, "ejected for 30s after 5 connect failures");
        double before = passes();
        within(5).until(() -> !server.isEjected());
        assertThat(passes()).isGreaterThan(before);
        assertThat(server.lastTransition().reason()).isEqualTo("ejection ended: an active health check passed");
    }

    @Test
    void httpSendsTheConfiguredMethodAndHost() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(204)));
        check(target, CheckSpec.of(HealthCheckType.HTTP).method("OPTIONS").host("status.internal")
                .expectStatus(new StatusRange(204, 204)));
        within(5).until(() -> passes() >= 2);
        assertThat(target.requests()).allSatisfy(seen -> {
            assertThat(seen.method()).isEqualTo("OPTIONS");
            assertThat(seen.host()).isEqualTo("status.internal");
        });
    }

    @Test
    void anUnexpectedStatusFailsNamingTheStatusAndTheExpectation() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(503)));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("2 failed checks: status 503, expected 200-399");
        assertThat(server.isHealthy()).isFalse();
    }

    @Test
    void severalExpectedRangesAreAllNamed() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(302)));
        check(target, CheckSpec.of(HealthCheckType.HTTP).fall(1)
                .expectStatus(new StatusRange(200, 200), new StatusRange(204, 206)));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("1 failed check: status 302, expected 200, 204-206");
    }

    @Test
    void anExpectedBodyFoundAfterTheFirstPiecesPasses() {
        String body = "x".repeat(40_000) + "status: ok" + "y".repeat(1000);
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, body)));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).expectBody("status: ok"));
        within(5).until(() -> passes() >= 3);
        assertThat(failures()).isZero();
        assertThat(server.isHealthy()).isTrue();
    }

    @Test
    void aBodyWithoutTheExpectedTextFails() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, "status: degraded")));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).expectBody("status: ok"));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("2 failed checks: body lacks \"status: ok\"");
        assertThat(server.isHealthy()).isFalse();
    }

    @Test
    void onlyTheFirst64KiBOfTheBodyAreSearched() {
        String body = "x".repeat(70 * 1024) + "status: ok";
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200, body)));
        check(target, CheckSpec.of(HealthCheckType.HTTP).expectBody("status: ok"));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("2 failed checks: body lacks \"status: ok\" in its first 64 KiB");
    }

    @Test
    void aServerThatNeverAnswersFailsByTimeoutAndTheCheckClosesItsConnection() {
        ProbeTarget target = closing(ProbeTarget.silent());
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).timeout(Duration.ofMillis(150)));
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 failed checks: timed out after 150ms");
        assertThat(server.isHealthy()).isFalse();
        // The target never closes a connection: each close is a check giving up on it.
        within(5).until(() -> target.closed() >= 2);
        assertThat(target.maxOpen()).isEqualTo(1);
    }

    // ---- tls and https -----------------------------------------------------------------------------

    @Test
    void tlsPassesWhenTheHandshakeCompletesAndSendsTheConfiguredServerName() {
        ProbeTarget target = closing(ProbeTarget.tls(serverTls));
        Server server = check(target, CheckSpec.of(HealthCheckType.TLS).sni("health.example").initiallyDown());
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 passed checks");
        assertThat(server.isHealthy()).isTrue();
        assertThat(target.serverNames()).isNotEmpty().containsOnly("health.example");
    }

    @Test
    void tlsFailsAgainstAServerThatDoesNotSpeakTls() {
        ProbeTarget target = closing(ProbeTarget.banner("220 mail.example ESMTP"));
        check(target, CheckSpec.of(HealthCheckType.TLS));
        assertThat(awaitTransition(1).transition().reason())
                .isEqualTo("2 failed checks: TLS handshake failed: the server does not speak TLS");
    }

    @Test
    void httpsChecksTheStatusOverTls() {
        ProbeTarget target = closing(ProbeTarget.https(serverTls, n -> Reply.of(200, "ok")));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTPS).path("/ready").expectBody("ok")
                .initiallyDown());
        assertThat(awaitTransition(1).transition().reason()).isEqualTo("2 passed checks");
        assertThat(server.isHealthy()).isTrue();
        assertThat(target.requests().get(0).uri()).isEqualTo("/ready");
        assertThat(target.serverNames()).as("no sni configured").isNotEmpty().containsOnly(ProbeTarget.NO_SERVER_NAME);

        target.answer(n -> Reply.of(503));
        assertThat(awaitTransition(2).transition().reason())
                .isEqualTo("2 failed checks: status 503, expected 200-399");
        assertThat(server.isHealthy()).isFalse();
    }

    // ---- rise, fall and scheduling -----------------------------------------------------------------

    @Test
    void aServerStartingDownNeedsRisePassesToComeUp() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200)));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).rise(3).initiallyDown());
        assertThat(server.isHealthy()).isFalse();
        Seen up = awaitTransition(1);
        assertThat(up.transition().reason()).isEqualTo("3 passed checks");
        assertThat(up.passesBefore()).isEqualTo(3.0);
        assertThat(server.isHealthy()).isTrue();
    }

    @Test
    void aFlappingServerNeverChangesState() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(n % 2 == 0 ? 500 : 200)));
        Server server = check(target, CheckSpec.of(HealthCheckType.HTTP).rise(2).fall(2));
        within(10).until(() -> passes() >= 5 && failures() >= 5);
        assertThat(transitions).isEmpty();
        assertThat(server.isHealthy()).isTrue();
    }

    @Test
    void checksOfAServerNeverOverlap() {
        ProbeTarget target = closing(ProbeTarget.http(n -> new Reply(200, "", 150)));
        check(target, CheckSpec.of(HealthCheckType.HTTP).interval(Duration.ofMillis(20)).timeout(Duration.ofSeconds(1)));
        within(10).until(() -> passes() >= 4);
        assertThat(target.maxOpen()).isEqualTo(1);
        assertThat(failures()).isZero();
    }

    @Test
    void closeStopsEveryCheckAndPoolsWithoutAHealthCheckAreNotChecked() {
        ProbeTarget target = closing(ProbeTarget.http(n -> Reply.of(200)));
        ProbeTarget unchecked = closing(ProbeTarget.silent());
        Map<String, PoolConfig> configs = new LinkedHashMap<>();
        configs.put(POOL, pool(POOL, Optional.of(CheckSpec.of(HealthCheckType.HTTP).build()), target.port()));
        configs.put("batch", pool("batch", Optional.empty(), unchecked.port()));
        check(configs);
        assertThat(checks.serversChecked()).isEqualTo(1);
        within(5).until(() -> target.accepted() >= 3);

        checks.close();
        within(5).until(() -> target.open() == 0);
        int accepted = target.accepted();
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
                .until(() -> target.accepted() == accepted);
        assertThat(unchecked.accepted()).isZero();
    }

    @Test
    void checksOfAReloadKeepCountingOnTheSameMetersAndTheLastToCloseRemovesThem() {
        ProbeTarget target = closing(ProbeTarget.silent());
        Map<String, PoolConfig> configs = Map.of(POOL, pool(POOL, Optional.of(CheckSpec.of(HealthCheckType.TCP)
                .build()), target.port()));
        Map<String, Pool> pools = Pools.build(configs);
        ActiveHealthChecks before = ActiveHealthChecks.start(pools, configs, loops, registry);
        checks = before;
        within(5).until(() -> passes() >= 1);
        ActiveHealthChecks after = ActiveHealthChecks.start(Pools.build(configs, pools), configs, loops, registry);
        checks = after;
        before.close();
        double counted = passes();
        assertThat(counted).as("the reloaded checks' meter, still registered").isGreaterThanOrEqualTo(1);
        within(5).until(() -> passes() > counted);

        after.close();
        assertThat(registry.find(HEALTH_CHECKS).counters()).as("no checks of the server left").isEmpty();
        assertThat(registry.find(HEALTH_CHECK_DURATION).timers()).isEmpty();
    }

    @Test
    void closeCancelsACheckInProgressAndClosesItsConnection() {
        ProbeTarget target = closing(ProbeTarget.silent());
        check(target, CheckSpec.of(HealthCheckType.HTTP).timeout(Duration.ofSeconds(10)));
        within(5).until(() -> target.open() == 1);
        // Held here: closing the checks takes their meters off the registry.
        io.micrometer.core.instrument.Counter failed = registry.get(HEALTH_CHECKS)
                .tags(TAG_POOL, POOL, TAG_SERVER, SERVER, TAG_RESULT, FAIL).counter();

        checks.close();
        // Long before the check's own timeout.
        within(2).until(() -> target.open() == 0);
        assertThat(target.accepted()).isEqualTo(1);
        assertThat(failed.count()).as("a cancelled check is no result").isZero();
    }
}
