package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.server;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.metrics.MetricNames;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A failure before any response byte is tried again on another server, within the route's budget. */
class RetryTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private static int refusingPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private ProxyFixture proxy(Setup setup, int retries, int firstPort, int secondPort) throws Exception {
        PoolConfig pool = new PoolConfig("p", Balance.ROUND_ROBIN, Optional.empty(), Optional.empty(),
                List.of(server("first", firstPort), server("second", secondPort)), Location.NONE);
        RouteConfig route = new RouteConfig("r", MatchConfig.ANY, "p", Location.NONE,
                new RoutePolicy(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT, Optional.empty(), retries));
        return closing(new ProxyFixture(setup, List.of(route), pools(pool)));
    }

    private static double retries(ProxyFixture proxy) {
        return proxy.registry.get(MetricNames.RETRIES).tag("route", "r").counter().count();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void aRefusedConnectIsTriedOnTheOtherServerForAnyMethod(Setup setup) throws Exception {
        TestBackend live = closing(new TestBackend("second"));
        ProxyFixture proxy = proxy(setup, 1, refusingPort(), live.port());

        try (RawHttpClient client = proxy.client()) {
            for (int i = 0; i < 4; i++) {
                assertThat(client.exchange(get("/get-" + i, "x")).status()).isEqualTo(200);
            }
            RawHttpClient.Response post = client.exchange("POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(post.status()).isEqualTo(200);
        }
        assertThat(live.receivedRequests()).hasSize(5);
        assertThat(live.receivedRequests().get(4).bodyBytes()).isEqualTo(5);
        assertThat(retries(proxy)).isPositive();
    }

    @ParameterizedTest(name = "retries {0}")
    @ValueSource(ints = {0})
    void withoutRetriesTheFailureIsTheAnswer(int retries) throws Exception {
        TestBackend live = closing(new TestBackend("second"));
        ProxyFixture proxy = proxy(new Setup(Transport.NIO, 1), retries, refusingPort(), live.port());

        List<Integer> statuses = new ArrayList<>();
        try (RawHttpClient client = proxy.client()) {
            for (int i = 0; i < 4; i++) {
                statuses.add(client.exchange(get("/" + i, "x")).status());
            }
        }
        assertThat(statuses).contains(502, 200);
        assertThat(retries(proxy)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void aDropBeforeTheResponseIsRetriedOnlyForIdempotentRequestsWithoutBody(Setup setup) throws Exception {
        ScriptedBackend dropping = closing(new ScriptedBackend(connection -> {
            while (connection.readHead() != null) {
                return; // read the request, answer nothing, close
            }
        }));
        TestBackend live = closing(new TestBackend("second"));
        ProxyFixture proxy = proxy(setup, 1, dropping.port(), live.port());

        List<Integer> getStatuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (RawHttpClient client = proxy.client()) {
                getStatuses.add(client.exchange(get("/get-" + i, "x")).status());
            }
        }
        List<Integer> postStatuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (RawHttpClient client = proxy.client()) {
                postStatuses.add(client.exchange(
                        "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").status());
            }
        }

        assertThat(getStatuses).containsOnly(200);
        assertThat(postStatuses).contains(502);
    }
}
