package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.Http2Config;
import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.health.PassiveHealth;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests a proxy and a backend could frame differently are refused (status, short reason,
 * connection closed) and never reach the backend; request heads over the limits get 414/431.
 */
class StrictParsingTest {

    /** A malformed request and the answer it must get. */
    record Attack(String request, int status, String reason) {
        @Override
        public String toString() {
            return reason;
        }
    }

    private static final String HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    static final List<Attack> ATTACKS = List.of(
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    400, "both Content-Length and Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                    400, "several Content-Length values"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!",
                    400, "several Content-Length values"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "invalid Content-Length"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400, "invalid Content-Length"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
                    400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                    400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                    400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\n", 400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    400, "Transfer-Encoding in an HTTP/1.0 request"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
                    400, "obs-fold (header line continued on the next line)"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\n\tX-Tab: a\r\n\r\n",
                    400, "obs-fold (header line continued on the next line)"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nX Y: a\r\n\r\n", 400, "invalid header name"),
            new Attack("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid header name"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "invalid header name"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n", 400, "invalid header value"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n", 400, "invalid header value"),
            new Attack("GET / HTTP/1.1\nHost: x\n\n", 400, "line ending without CR (bare LF)"),
            new Attack("GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400, "line ending without CR (bare LF)"),
            new Attack("GET / HTTP/1.1\r\n\r\n", 400, "missing Host header"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "several Host headers"),
            new Attack("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "invalid Host header"),
            new Attack("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid Host header"),
            new Attack("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid Host header"),
            new Attack("GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, "invalid Host header"),
            new Attack("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "invalid Host header"),
            new Attack("GET /\r\n\r\n", 400, "request line without an HTTP version (HTTP/0.9)"),
            new Attack("GET / FOO/1.1\r\nHost: x\r\n\r\n", 400, "invalid HTTP version"),
            new Attack("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "only HTTP/1.0 and HTTP/1.1 are supported"),
            new Attack("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "only HTTP/1.0 and HTTP/1.1 are supported"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                    400, "malformed chunked body"),
            // Chunk sizes past 64 bits; Transfer-Encoding obfuscations (TE.TE); Content-Length games.
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nhello"
                    + "\r\n0\r\n\r\n", 400, "malformed chunked body"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
                    400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
                    400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
                    400, "both Content-Length and Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: identity\r\n\r\n"
                    + "0\r\n\r\n", 400, "unsupported Transfer-Encoding"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                    400, "several Content-Length values"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
            new Attack("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                    400, "invalid Content-Length"),
            new Attack("GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n", 400, "invalid header value"),
            // Not HTTP/1 at all on a plain port: a TLS ClientHello's first bytes, HTTP/2's preface
            // (sent where http2 is off, see below), noise.
            new Attack("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003garbage\r\n\r\n",
                    400, "line ending without CR (bare LF)"),
            new Attack(HTTP2_PREFACE, 505, "only HTTP/1.0 and HTTP/1.1 are supported"),
            new Attack("garbage garbage\r\n\r\n", 400, "request line without an HTTP version (HTTP/0.9)"));

    private static final HttpEdgeConfig WITHOUT_HTTP2 =
            new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, ListenerLimits.DEFAULTS, Http2Config.DISABLED);

    private static final HttpEdgeConfig SMALL_HEADS = new HttpEdgeConfig(ListenerTimeouts.DEFAULTS,
            new ListenerLimits(1024, 2048, 10, ListenerLimits.DEFAULT_REQUEST_BODY));

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private ProxyFixture proxy(Setup setup, TestBackend web, HttpEdgeConfig edge) throws Exception {
        return closing(new ProxyFixture(setup, List.of(defaultRoute("web")), pools(pool("web", web)),
                PassiveHealth.NONE, edge));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void everyFramingAttackIsRefusedClosedAndNeverForwarded(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web, HttpEdgeConfig.DEFAULTS);
        // With http2 on, the preface starts HTTP/2 (tested with the HTTP/2 frontend); off, it is refused.
        ProxyFixture http1Only = proxy(setup, web, WITHOUT_HTTP2);

        int clientErrors = 0;
        for (Attack attack : ATTACKS) {
            ProxyFixture target = attack.request().equals(HTTP2_PREFACE) ? http1Only : proxy;
            try (RawHttpClient client = target.client()) {
                Response response = client.exchange(attack.request());
                assertThat(response.status()).as(attack.request()).isEqualTo(attack.status());
                String prefix = attack.status() == 400 ? "bad request: " : "";
                assertThat(response.body()).as(attack.request()).endsWith(attack.reason() + "\n").startsWith(prefix);
                assertThat(response.header("connection")).as(attack.request()).isEqualToIgnoringCase("close");
                assertThat(client.isClosedByPeer()).as(attack.request()).isTrue();
            }
            if (attack.status() < 500 && target == proxy) {
                clientErrors++;
            }
        }
        // Only the two broken chunked bodies come after a valid head, which was already streaming:
        // their backend connections are closed mid-request, so no request is ever complete there.
        assertThat(web.receivedRequests()).isEmpty();
        assertThat(web.connections.get()).isLessThanOrEqualTo(2);
        // Head refusals count as unrouted; the broken chunk on its route and server.
        double refused = proxy.registry.find("fulcrum.http.requests").tags("code", "4xx").counters().stream()
                .mapToDouble(Counter::count).sum();
        assertThat(refused).isEqualTo(clientErrors);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void obsFoldIsFoundBehindPipelinedBodiesOfEitherFraming(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web, HttpEdgeConfig.DEFAULTS);

        String folded = "GET /folded HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n";
        List<String> leaders = List.of(
                get("/plain", "x"),
                "POST /sized HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhi\r\n \r\n\r\n\r\n",
                "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nx\r\n y\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n");
        for (String leader : leaders) {
            try (RawHttpClient client = proxy.client()) {
                // One write, so the good request, its body and the bad head arrive together.
                client.send(leader + folded);
                assertThat(client.read().body()).as(leader).isEqualTo("web");
                Response refused = client.read();
                assertThat(refused.status()).as(leader).isEqualTo(400);
                assertThat(refused.body()).contains("obs-fold");
                assertThat(client.isClosedByPeer()).isTrue();
            }
        }
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/plain", "/sized", "/chunked");
        assertThat(web.receivedRequests()).extracting(Received::bodyBytes).containsExactly(0L, 11L, 8L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void obsFoldInTrailersIsRefused(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web, HttpEdgeConfig.DEFAULTS);

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\nX-T: a\r\n b\r\n\r\n");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("obs-fold");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        assertThat(web.receivedRequests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void validHeadsStillPass(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web, HttpEdgeConfig.DEFAULTS);

        try (RawHttpClient client = proxy.client()) {
            // Leading blank lines, spaces inside values, obs-text, IPv6 and port in Host: all fine.
            assertThat(client.exchange("\r\nGET / HTTP/1.1\r\nHost: [::1]:8080\r\nX-Sp: a  b\r\nX-Text: caf\u00e9\r\n\r\n")
                    .status()).isEqualTo(200);
            assertThat(client.exchange("GET / HTTP/1.1\r\nHost: my-host.example_1:80\r\n\r\n").status()).isEqualTo(200);
            assertThat(client.exchange("GET / HTTP/1.1\r\nHost:\r\n\r\n").status()).isEqualTo(200);
            assertThat(client.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status()).isEqualTo(200);
        }
        assertThat(web.requests.get()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fulcrum.l7.ProxyFixture#setups")
    void headsOverTheLimitsGet414And431(Setup setup) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(setup, web, SMALL_HEADS);

        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(get("/" + "a".repeat(1100), "x"));
            assertThat(response.status()).isEqualTo(414);
            assertThat(response.body()).isEqualTo("bad request: request line too long\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2100) + "\r\n\r\n");
            assertThat(response.status()).isEqualTo(431);
            assertThat(response.body()).isEqualTo("bad request: request headers too large\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        StringBuilder eleven = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 10; i++) {
            eleven.append("X-").append(i).append(": v\r\n");
        }
        try (RawHttpClient client = proxy.client()) {
            Response response = client.exchange(eleven.append("\r\n").toString());
            assertThat(response.status()).isEqualTo(431);
            assertThat(response.body()).isEqualTo("bad request: too many header fields\n");
            assertThat(client.isClosedByPeer()).isTrue();
        }
        try (RawHttpClient client = proxy.client()) {
            // Exactly at the limits: passes.
            StringBuilder ten = new StringBuilder("GET /" + "a".repeat(1000) + " HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 9; i++) {
                ten.append("X-").append(i).append(": v\r\n");
            }
            assertThat(client.exchange(ten.append("\r\n").toString()).status()).isEqualTo(200);
        }
        assertThat(web.requests.get()).isEqualTo(1);
    }
}
