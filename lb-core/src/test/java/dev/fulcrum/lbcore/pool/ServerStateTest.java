package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.FailurePolicy;
import dev.fulcrum.config.OutlierDetection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ServerStateTest {

    private static Server server(String name) {
        return new Server("app", name, 0, new InetSocketAddress("127.0.0.1", 9001), 100, 0);
    }

    @Test
    void adminStateHealthAndEjectionAreIndependentAndEachChangeIsReportedOnce() {
        Server server = server("s1");
        List<Transition> seen = new CopyOnWriteArrayList<>();
        server.reportTo((s, t) -> seen.add(t));
        long epoch = Server.membershipEpoch();

        server.setHealthy(false, "3 failed checks: connection refused");
        server.setHealthy(false, "again");
        server.setAdminState(AdminState.DRAINING, "drained by admin");
        server.setEjected(true, "ejected for 30s");
        assertThat(server.isInRotation()).isFalse();
        server.setHealthy(true, "2 passed checks");
        server.setEjected(false, "ejection ended");
        assertThat(server.isInRotation()).as("still draining").isFalse();
        assertThat(server.adminState()).isEqualTo(AdminState.DRAINING);
        server.setAdminState(AdminState.ENABLED, "enabled by admin");

        assertThat(server.isInRotation()).isTrue();
        assertThat(seen).extracting(Transition::toString).containsExactly(
                "up -> down: 3 failed checks: connection refused",
                "down -> draining, down: drained by admin",
                "draining, down -> draining, down, ejected: ejected for 30s",
                "draining, down, ejected -> draining, ejected: 2 passed checks",
                "draining, ejected -> draining: ejection ended",
                "draining -> up: enabled by admin");
        assertThat(server.lastTransition().reason()).isEqualTo("enabled by admin");
        assertThat(Server.membershipEpoch()).isGreaterThanOrEqualTo(epoch + 6);
    }

    @Test
    void aRebuiltServerKeepsTheStateOfItsPredecessor() {
        Server before = server("s1");
        before.setHealthy(false, "3 failed checks: timed out after 1s");
        before.setAdminState(AdminState.DISABLED, "disabled by admin");
        before.passive().ejections.set(2);
        Server after = server("s1");
        after.inheritState(before);
        assertThat(after.isHealthy()).isFalse();
        assertThat(after.adminState()).isEqualTo(AdminState.DISABLED);
        assertThat(after.lastTransition()).isEqualTo(before.lastTransition());
        assertThat(after.passive().ejections.get()).isEqualTo(2);
    }

    @Test
    void openConnectionsCountForTheServerThatReplacesThemAndAreReleasedThere() {
        Server before = server("s1");
        assertThat(before.tryAcquireConnection()).isTrue();
        assertThat(before.tryAcquireConnection()).isTrue();
        Server after = server("s1");
        after.inheritState(before);
        assertThat(after.activeConnections()).isEqualTo(2);
        before.releaseConnection();
        assertThat(after.activeConnections()).as("a connection opened before the reload closes").isEqualTo(1);
    }

    @Test
    void requestsInFlightCountForTheServerThatReplacesThemAndEndThere() {
        Server before = server("s1");
        before.beginRequest();
        before.beginRequest();
        Server after = server("s1");
        after.inheritState(before);
        assertThat(after.requestsInFlight()).isEqualTo(2);
        before.endRequest();
        assertThat(after.requestsInFlight()).as("a request begun before the reload ends").isEqualTo(1);
        after.endRequest();
        assertThat(before.requestsInFlight()).isZero();
    }

    @Test
    void aServerComingBackWarmsUpOverSlowStart() {
        Server server = server("s1");
        Pool pool = new Pool("app", List.of(server), new RoundRobinBalancer(List.of(server)), 0,
                Duration.ofSeconds(1), new FailurePolicy(Duration.ofMillis(600), false, OutlierDetection.OFF));
        assertThat(server.warmth()).as("configured servers start warm").isEqualTo(1.0);
        server.setHealthy(false, "down");
        server.setHealthy(true, "up");
        assertThat(server.warmth()).isLessThan(0.5);
        assertThat(server.effectiveWeight()).isLessThan(50);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.warmth() == 1.0);
        assertThat(server.effectiveWeight()).isEqualTo(100);
        assertThat(pool.servers()).containsExactly(server);
    }

    @Test
    void panicSendsTrafficToDownServersOnlyWhenNoneIsUp() {
        Server a = server("a");
        Server b = new Server("app", "b", 1, new InetSocketAddress("127.0.0.1", 9002), 100, 0);
        List<Server> servers = List.of(a, b);
        Pool panicky = new Pool("app", servers, new RoundRobinBalancer(servers), 0, Duration.ofSeconds(1),
                new FailurePolicy(Duration.ZERO, true, OutlierDetection.OFF));
        a.setHealthy(false, "down");
        assertThat(panicky.pick(BalancingContext.ofClient(null))).isSameAs(b);
        assertThat(panicky.inPanic()).isFalse();
        b.setHealthy(false, "down");
        assertThat(panicky.pick(BalancingContext.ofClient(null))).isIn(a, b);
        assertThat(panicky.inPanic()).isTrue();
        assertThat(panicky.panicPicks()).isEqualTo(1);
        b.setAdminState(AdminState.DISABLED, "disabled");
        for (int i = 0; i < 4; i++) {
            assertThat(panicky.pick(BalancingContext.ofClient(null))).as("never a disabled server").isSameAs(a);
        }
        a.setHealthy(true, "up");
        assertThat(panicky.pick(BalancingContext.ofClient(null))).isSameAs(a);
        assertThat(panicky.inPanic()).isFalse();
    }

    @Test
    void failFastGivesNoServerWhenNoneIsUp() {
        Server a = server("a");
        Pool strict = new Pool("app", List.of(a), new RoundRobinBalancer(List.of(a)));
        a.setHealthy(false, "down");
        assertThat(strict.pick(BalancingContext.ofClient(null))).isNull();
    }

    @Test
    void aWarmingServerGetsOnlyAShareOfItsPicks() {
        Server a = server("a");
        Server b = new Server("app", "b", 1, new InetSocketAddress("127.0.0.1", 9002), 100, 0);
        List<Server> servers = List.of(a, b);
        FailurePolicy slow = new FailurePolicy(Duration.ofMinutes(10), false, OutlierDetection.OFF);
        for (Balancer balancer : List.of(new RoundRobinBalancer(servers), new WeightedRandomBalancer(servers))) {
            new Pool("app", servers, balancer, 0, Duration.ofSeconds(1), slow);
            b.setHealthy(false, "down");
            b.setHealthy(true, "back");
            int toB = 0;
            for (int i = 0; i < 2_000; i++) {
                if (balancer.pick(BalancingContext.ofClient(null)) == b) {
                    toB++;
                }
            }
            // At the start of its warm-up b takes about a tenth of its half.
            assertThat(toB).as(balancer.getClass().getSimpleName()).isBetween(20, 300);
        }
    }

    @Test
    void leastConnWeighsAWarmingServerLess() {
        Server a = server("a");
        Server b = new Server("app", "b", 1, new InetSocketAddress("127.0.0.1", 9002), 100, 0);
        List<Server> servers = List.of(a, b);
        LeastConnBalancer balancer = new LeastConnBalancer(servers);
        new Pool("app", servers, balancer, 0, Duration.ofSeconds(1),
                new FailurePolicy(Duration.ofMinutes(10), false, OutlierDetection.OFF));
        b.setHealthy(false, "down");
        b.setHealthy(true, "back");
        for (int i = 0; i < 3; i++) {
            a.beginRequest();
        }
        // a has 3 requests in flight, b none, yet b at a tenth of its weight still looks busier.
        assertThat(balancer.pick(BalancingContext.ofClient(null))).isSameAs(a);
    }
}
