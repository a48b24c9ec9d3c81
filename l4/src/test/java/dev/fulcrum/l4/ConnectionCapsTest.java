package dev.fulcrum.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import dev.fulcrum.testing.LeakReports;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** max_connections on the listener (refuse) and on servers (wait in the pool's queue, bounded). */
class ConnectionCapsTest {

    private SocketBackend echo;
    private L4Fixture proxy;

    @BeforeEach
    void start() throws Exception {
        LeakReports.reset();
        echo = SocketBackend.echo();
    }

    @AfterEach
    void close() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        echo.close();
        LeakReports.assertNone();
    }

    private L4Fixture proxy(String listenerExtras, String poolExtras, int serverCap) throws Exception {
        String yaml = "listeners:\n"
                + "  - {name: tcp, bind: 127.0.0.1:0, protocol: tcp, pool: backends"
                + (listenerExtras.isEmpty() ? "" : ", " + listenerExtras) + "}\n"
                + "pools:\n  backends:\n"
                + (poolExtras.isEmpty() ? "" : "    " + poolExtras + "\n")
                + "    servers: [{name: s1, address: 127.0.0.1:" + echo.port() + ", max_connections: " + serverCap
                + "}]\n";
        proxy = new L4Fixture(yaml, PassiveHealth.NONE);
        return proxy;
    }

    /** Connects and proves the connection is relayed: one byte there and back. */
    private Socket relayed(int b) throws Exception {
        Socket client = proxy.connect();
        client.getOutputStream().write(b);
        assertThat(client.getInputStream().read()).isEqualTo(b);
        return client;
    }

    @Test
    void theListenerRefusesConnectionsBeyondItsCap() throws Exception {
        proxy("max_connections: 2", "", 0);
        try (Socket first = relayed('a'); Socket second = relayed('b')) {
            try (Socket third = proxy.connect()) {
                assertThat(third.getInputStream().read()).as("closed at once").isEqualTo(-1);
            }
            assertThat(proxy.refused(MetricNames.REFUSED_MAX_CONNECTIONS)).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.listener.openConnections() == 0);
        try (Socket again = relayed('c')) {
            assertThat(echo.accepted()).isEqualTo(3);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aConnectionWaitsForAFullServerAndIsServedWhenOneCloses() throws Exception {
        proxy("", "max_pending: 1\n    queue_timeout: 10s", 1);
        Socket first = relayed('a');
        try (Socket waiting = proxy.connect()) {
            waiting.getOutputStream().write('b');
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> echo.accepted() == 1 && proxy.pool().queue().waiting() == 1);
            try (Socket overflow = proxy.connect()) {
                assertThat(overflow.getInputStream().read()).as("the queue is full").isEqualTo(-1);
            }
            assertThat(proxy.refused(MetricNames.REFUSED_QUEUE_FULL)).isEqualTo(1);
            first.close();
            assertThat(waiting.getInputStream().read()).as("served once the first left").isEqualTo('b');
            assertThat(proxy.pool().queue().waiting()).isZero();
        }
        proxy.awaitNothingOpen();
        assertThat(echo.accepted()).isEqualTo(2);
    }

    @Test
    void aConnectionThatWaitsTooLongIsClosed() throws Exception {
        proxy("", "max_pending: 5\n    queue_timeout: 300ms", 1);
        try (Socket first = relayed('a'); Socket waiting = proxy.connect()) {
            waiting.getOutputStream().write('b');
            assertClosed(waiting);
            assertThat(proxy.refused(MetricNames.REFUSED_QUEUE_TIMEOUT)).isEqualTo(1);
            assertThat(proxy.pool().queue().waiting()).isZero();
            // The first connection is untouched.
            first.getOutputStream().write('c');
            assertThat(first.getInputStream().read()).isEqualTo('c');
        }
        proxy.awaitNothingOpen();
    }

    /** Closed by the proxy: a FIN, or a reset when what the client sent was never read. */
    private static void assertClosed(Socket socket) {
        try {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            assertThat(reset).hasMessageContaining("reset");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withoutAQueueAFullServerMeansRefusal() throws Exception {
        proxy("", "max_pending: 0", 1);
        try (Socket first = relayed('a'); Socket second = proxy.connect()) {
            assertThat(second.getInputStream().read()).isEqualTo(-1);
            assertThat(proxy.refused(MetricNames.REFUSED_QUEUE_FULL)).isEqualTo(1);
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void aClientThatLeavesTheQueuePassesItsTurnOn() throws Exception {
        proxy("", "max_pending: 5\n    queue_timeout: 10s", 1);
        Socket first = relayed('a');
        Socket leaving = proxy.connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.pool().queue().waiting() == 1);
        try (Socket staying = proxy.connect()) {
            staying.getOutputStream().write('s');
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.pool().queue().waiting() == 2);
            leaving.close();
            first.close();
            assertThat(staying.getInputStream().read()).isEqualTo('s');
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void noServerInRotationMeansRefusal() throws Exception {
        proxy("", "", 0);
        proxy.pool().servers().get(0).setEnabled(false);
        try (Socket client = proxy.connect()) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(proxy.refused(MetricNames.REFUSED_NO_SERVER)).isEqualTo(1);
        assertThat(echo.accepted()).isZero();
        proxy.awaitNothingOpen();
    }
}
