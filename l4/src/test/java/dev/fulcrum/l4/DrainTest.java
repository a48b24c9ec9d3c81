package dev.fulcrum.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.testing.LeakReports;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stopping listener takes no new connections and gives open ones until its deadline. */
class DrainTest {

    private SocketBackend echo;
    private L4Fixture proxy;

    @BeforeEach
    void start() throws Exception {
        LeakReports.reset();
        echo = SocketBackend.echo();
        proxy = new L4Fixture(L4Fixture.config("drain_timeout: 10s", "", echo.port()), PassiveHealth.NONE);
    }

    @AfterEach
    void close() throws Exception {
        proxy.close();
        echo.close();
        LeakReports.assertNone();
    }

    @Test
    void openConnectionsFinishWhileNewOnesAreTurnedAway() throws Exception {
        InetSocketAddress address = proxy.listener.localAddress();
        try (Socket open = proxy.connect()) {
            open.getOutputStream().write('a');
            assertThat(open.getInputStream().read()).isEqualTo('a');

            Future<Void> drained = proxy.listener.drain();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                            .isInstanceOf(ConnectException.class));
            open.getOutputStream().write('b');
            assertThat(open.getInputStream().read()).as("still relayed while draining").isEqualTo('b');
            assertThat(drained.isDone()).isFalse();

            open.shutdownOutput();
            assertThat(open.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(drained::isDone);
            assertThat(drained.isSuccess()).isTrue();
        }
        proxy.awaitNothingOpen();
    }

    @Test
    void theDeadlineClosesWhatIsStillOpen() throws Exception {
        try (Socket open = proxy.connect()) {
            open.getOutputStream().write('a');
            assertThat(open.getInputStream().read()).isEqualTo('a');
            Future<Void> drained = proxy.listener.drain(Duration.ofMillis(300));
            assertThat(open.getInputStream().read()).as("closed at the deadline").isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(drained::isDone);
        }
        proxy.awaitNothingOpen();
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.open() == 0);
    }

    @Test
    void anIdleListenerDrainsAtOnce() {
        Future<Void> drained = proxy.listener.drain();
        await().atMost(Duration.ofSeconds(5)).until(drained::isDone);
    }
}
