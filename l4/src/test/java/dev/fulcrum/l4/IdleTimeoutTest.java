package dev.fulcrum.l4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.testing.LeakReports;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdleTimeoutTest {

    private SocketBackend backend;
    private L4Fixture proxy;

    @BeforeEach
    void resetLeaks() {
        LeakReports.reset();
    }

    @AfterEach
    void close() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        LeakReports.assertNone();
    }

    @Test
    void aSilentConnectionIsClosedOnBothSides() throws Exception {
        CompletableFuture<Integer> backendRead = new CompletableFuture<>();
        backend = new SocketBackend(socket -> backendRead.complete(socket.getInputStream().read()));
        proxy = new L4Fixture(L4Fixture.config("idle_timeout: 300ms", "", backend.port()), PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).as("client sees the end").isEqualTo(-1);
            assertThat(backendRead.get(10, TimeUnit.SECONDS)).as("backend sees the end").isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void trafficKeepsAConnectionOpen() throws Exception {
        backend = SocketBackend.echo();
        proxy = new L4Fixture(L4Fixture.config("idle_timeout: 300ms", "", backend.port()), PassiveHealth.NONE);
        try (Socket client = proxy.connect()) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(900);
            for (int i = 0; i < 100 && System.nanoTime() < end; i++) {
                client.getOutputStream().write('k');
                assertThat(client.getInputStream().read()).isEqualTo('k');
                // Paced by the backend's answers, well inside the idle timeout.
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                        .get(5, TimeUnit.SECONDS);
            }
            client.getOutputStream().write('z');
            assertThat(client.getInputStream().read()).isEqualTo('z');
        }
        proxy.awaitNothingOpen();
    }
}
