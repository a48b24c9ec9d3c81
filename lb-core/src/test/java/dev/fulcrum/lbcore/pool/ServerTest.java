package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerTest {

    @Test
    void theCapCountsConnectionsBeingOpenedUnderContention() throws Exception {
        Server server = TestServers.capped("s", 0, 10);
        AtomicInteger granted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < 8; t++) {
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 1000; i++) {
                        if (server.tryAcquireConnection()) {
                            granted.incrementAndGet();
                        }
                    }
                });
            }
            start.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // Acquired before connecting and never released here: exactly the cap, never more.
        assertThat(granted.get()).isEqualTo(10);
        assertThat(server.activeConnections()).isEqualTo(10);
        assertThat(server.isEligible()).isFalse();
        assertThat(server.isInRotation()).isTrue();
        server.releaseConnection();
        assertThat(server.isEligible()).isTrue();
    }

    @Test
    void eligibilityIsEnabledHealthyAndUnderTheCap() {
        Server server = TestServers.capped("s", 0, 1);
        assertThat(server.isEligible()).isTrue();
        server.setEnabled(false);
        assertThat(server.isEligible()).isFalse();
        server.setEnabled(true);
        server.setHealthy(false);
        assertThat(server.isEligible()).isFalse();
        assertThat(server.isInRotation()).isFalse();
        server.setHealthy(true);
        assertThat(server.tryAcquireConnection()).isTrue();
        assertThat(server.hasConnectionRoom()).isFalse();
        assertThat(server.isEligible()).isFalse();
    }

    @Test
    void theMembershipEpochMovesOnlyWhenRotationChanges() {
        Server server = TestServers.capped("s", 0, 0);
        long epoch = Server.membershipEpoch();
        server.setHealthy(true);
        server.setEnabled(true);
        server.tryAcquireConnection();
        assertThat(Server.membershipEpoch()).isEqualTo(epoch);
        server.setHealthy(false);
        assertThat(Server.membershipEpoch()).isGreaterThan(epoch);
        long afterDown = Server.membershipEpoch();
        server.setHealthy(false);
        assertThat(Server.membershipEpoch()).isEqualTo(afterDown);
    }
}
