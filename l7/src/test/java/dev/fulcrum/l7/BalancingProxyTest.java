package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.Balance;
import dev.fulcrum.config.HashOn;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.ServerConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Balancing strategies through the real proxy: sockets, event loops, keep-alive connections. */
class BalancingProxyTest {

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private static PoolConfig pool(Balance balance, HashOn hashOn, TestBackend... backends) {
        List<ServerConfig> servers = new ArrayList<>();
        for (TestBackend backend : backends) {
            servers.add(server(backend.name(), backend.port()));
        }
        return new PoolConfig("app", balance, Optional.empty(), Optional.empty(), servers, Location.NONE, hashOn);
    }

    private static String request(String headers) {
        return "GET /cart HTTP/1.1\r\nHost: shop.example\r\n" + headers + "\r\n";
    }

    private List<TestBackend> backends(int count) {
        List<TestBackend> backends = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            backends.add(closing(new TestBackend("b" + i)));
        }
        return backends;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void consistentHashOnAHeaderKeepsEachUserOnOneBackend(Setup setup) throws Exception {
        List<TestBackend> backends = backends(4);
        ProxyFixture proxy = closing(new ProxyFixture(setup, List.of(defaultRoute("app")),
                pools(pool(Balance.CONSISTENT_HASH, new HashOn.Header("x-user"), backends.toArray(new TestBackend[0])))));

        Map<String, String> backendOfUser = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            // A new connection per round, several requests on it, users interleaved.
            try (RawHttpClient client = proxy.client()) {
                for (int user = 0; user < 40; user++) {
                    Response response = client.exchange(request("X-User: user-" + user + "\r\n"));
                    assertThat(response.status()).isEqualTo(200);
                    String previous = backendOfUser.putIfAbsent("user-" + user, response.body());
                    if (previous != null) {
                        assertThat(response.body()).as("backend of user-%d", user).isEqualTo(previous);
                    }
                }
            }
        }
        // Header names are case-insensitive.
        try (RawHttpClient client = proxy.client()) {
            assertThat(client.exchange(request("x-USER: user-7\r\n")).body()).isEqualTo(backendOfUser.get("user-7"));
        }
        assertThat(new HashSet<>(backendOfUser.values())).as("users spread over backends").hasSizeGreaterThan(1);

        // Without the header the client address decides: every request from 127.0.0.1 on one backend.
        Set<String> anonymous = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            try (RawHttpClient client = proxy.client()) {
                anonymous.add(client.exchange(request("")).body());
            }
        }
        assertThat(anonymous).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void consistentHashOnACookie(Setup setup) throws Exception {
        List<TestBackend> backends = backends(3);
        ProxyFixture proxy = closing(new ProxyFixture(setup, List.of(defaultRoute("app")),
                pools(pool(Balance.CONSISTENT_HASH, new HashOn.Cookie("cart"), backends.toArray(new TestBackend[0])))));

        Map<String, String> backendOfCart = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            try (RawHttpClient client = proxy.client()) {
                for (int cart = 0; cart < 30; cart++) {
                    String body = client.exchange(request("Cookie: theme=dark; cart=c" + cart + "\r\n")).body();
                    String previous = backendOfCart.putIfAbsent("c" + cart, body);
                    assertThat(body).isEqualTo(previous == null ? body : previous);
                }
            }
        }
        assertThat(new HashSet<>(backendOfCart.values())).hasSizeGreaterThan(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void everyStrategyServesThroughTheProxy(Setup setup) throws Exception {
        for (Balance balance : Balance.values()) {
            List<TestBackend> backends = backends(2);
            try (ProxyFixture proxy = new ProxyFixture(setup, List.of(defaultRoute("app")),
                    pools(pool(balance, HashOn.SOURCE, backends.toArray(new TestBackend[0]))))) {
                try (RawHttpClient client = proxy.client()) {
                    for (int i = 0; i < 5; i++) {
                        Response response = client.exchange(request(""));
                        assertThat(response.status()).as("%s", balance).isEqualTo(200);
                        assertThat(response.body()).as("%s", balance).isIn("b1", "b2");
                    }
                }
            }
        }
    }
}
