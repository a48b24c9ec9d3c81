package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pathPrefix;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.HeaderActions;
import dev.fulcrum.config.LocalReply;
import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.RouteActions;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.routing.Router;
import dev.fulcrum.lbcore.Transport;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routes that answer themselves: redirects and fixed responses, without touching a backend. */
class LocalReplyTest {

    private TestBackend backend;
    private ProxyFixture proxy;

    private static RouteConfig replying(String name, MatchConfig match, LocalReply reply, RouteActions actions) {
        return new RouteConfig(name, match, Optional.empty(), Location.NONE, RoutePolicy.DEFAULTS, actions,
                Optional.of(reply));
    }

    private static final List<RouteConfig> ROUTES = List.of(
            replying("to-https", pathPrefix("/secure"), new LocalReply.Redirect(301, Optional.of("https"),
                    Optional.empty(), Optional.empty(), Optional.empty(), false), RouteActions.NONE),
            replying("moved", pathPrefix("/old"), new LocalReply.Redirect(308, Optional.empty(),
                    Optional.of("new.example"), Optional.of(8443), Optional.of("/new"), true), RouteActions.NONE),
            replying("health", pathPrefix("/healthz"), new LocalReply.Respond(200, "ok\n", "text/plain"),
                    new RouteActions(Optional.empty(), Optional.empty(), HeaderActions.NONE,
                            new HeaderActions(Map.of(), Map.of("cache-control", "no-store"), List.of()))),
            defaultRoute("web"));

    @BeforeEach
    void start() throws Exception {
        LeakLog.reset();
        backend = new TestBackend("web");
        proxy = new ProxyFixture(new Setup(Transport.NIO, 1), ROUTES, pools(pool("web", backend)));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
        LeakLog.assertNoLeaks();
    }

    @Test
    void aSchemeRedirectKeepsHostPathAndQuery() throws Exception {
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/secure/account?tab=2", "shop.example:8080"));

            assertThat(response.status()).isEqualTo(301);
            // The scheme changed and no port was given: the old port does not follow.
            assertThat(response.headers().get("location")).containsExactly("https://shop.example/secure/account?tab=2");
        }
        assertThat(backend.receivedRequests()).isEmpty();
    }

    @Test
    void aRedirectReplacesTheGivenPartsAndCanDropTheQuery() throws Exception {
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/old/page?x=1", "shop.example:8080"));

            assertThat(response.status()).isEqualTo(308);
            assertThat(response.headers().get("location")).containsExactly("http://new.example:8443/new");
            // The connection carries on: a local answer is a whole response.
            assertThat(client.exchange(get("/other", "shop.example")).status()).isEqualTo(200);
        }
    }

    @Test
    void aFixedResponseHasItsBodyTypeAndHeaderEdits() throws Exception {
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/healthz", "x"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok\n");
            assertThat(response.headers().get("content-type")).containsExactly("text/plain");
            assertThat(response.headers().get("cache-control")).containsExactly("no-store");
        }
        assertThat(backend.receivedRequests()).isEmpty();
        assertThat(proxy.registry.get("fulcrum.http.requests").tag("route", "health").tag("code", "2xx")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void explainNamesTheReplyAsTheTarget() {
        var explanation = Router.compile("web", ROUTES).explain("GET", "/healthz", new DefaultHttpHeaders().add("Host", "x"));

        assertThat(explanation.render()).contains("3. health -> respond 200: MATCH").contains("route health, respond 200");
    }
}
