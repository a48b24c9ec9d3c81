package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.config.ForwardingConfig;
import dev.fulcrum.config.Subnet;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What backends are told about the client, and when a client's own claims are believed. */
class ForwardingTest {

    private static final String CLAIMING_REQUEST = "GET /who HTTP/1.1\r\n"
            + "Host: shop.example:8080\r\n"
            + "X-Forwarded-For: 203.0.113.7\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: forged.example\r\n"
            + "X-Forwarded-Port: 443\r\n"
            + "Forwarded: for=203.0.113.7;proto=https\r\n"
            + "Via: 1.1 cdn\r\n"
            + "\r\n";

    private TestBackend backend;

    @BeforeEach
    void start() {
        LeakLog.reset();
        backend = new TestBackend("web");
    }

    @AfterEach
    void stop() {
        backend.close();
        LeakLog.assertNoLeaks();
    }

    private Received forward(ForwardingConfig forwarding, String request, List<String> responseVia) throws Exception {
        try (ProxyFixture proxy = new ProxyFixture(new Setup(Transport.NIO, 1), List.of(defaultRoute("web")),
                pools(pool("web", backend)), PassiveHealth.NONE, forwarding, Optional.empty());
             RawHttpClient client = proxy.client()) {
            Response response = client.exchange(request);
            assertThat(response.status()).isEqualTo(200);
            List<String> via = response.headers().get("via");
            responseVia.add(via == null ? null : String.join(", ", via));
            return backend.receivedRequests().get(0);
        }
    }

    @Test
    void anUntrustedClientsClaimsAreReplaced() throws Exception {
        List<String> via = new ArrayList<>();
        Received received = forward(ForwardingConfig.DEFAULTS, CLAIMING_REQUEST, via);

        assertThat(received.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(received.headers().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.headers().get("X-Forwarded-Host")).isEqualTo("shop.example:8080");
        assertThat(received.headers().get("X-Forwarded-Port")).matches("[1-9][0-9]*");
        assertThat(received.headers().contains("Forwarded")).isFalse();
        assertThat(received.headers().get("Via")).isEqualTo("1.1 cdn, 1.1 fulcrum");
        assertThat(via).containsExactly("1.1 fulcrum");
    }

    @Test
    void aTrustedProxysChainsAreExtendedAndItsClaimsKept() throws Exception {
        ForwardingConfig trustLoopback = new ForwardingConfig(List.of(new Subnet("127.0.0.0", 8)), true, true, true);

        Received received = forward(trustLoopback, CLAIMING_REQUEST, new ArrayList<>());

        assertThat(received.headers().get("X-Forwarded-For")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(received.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(received.headers().get("X-Forwarded-Host")).isEqualTo("forged.example");
        assertThat(received.headers().get("X-Forwarded-Port")).isEqualTo("443");
        assertThat(received.headers().get("Forwarded"))
                .isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=\"shop.example:8080\"");
    }

    @Test
    void aTrustListThatDoesNotCoverThePeerTrustsNothing() throws Exception {
        ForwardingConfig trustOthers = new ForwardingConfig(List.of(new Subnet("10.0.0.0", 8)), true, true, true);

        Received received = forward(trustOthers, CLAIMING_REQUEST, new ArrayList<>());

        assertThat(received.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(received.headers().get("Forwarded")).isEqualTo("for=127.0.0.1;proto=http;host=\"shop.example:8080\"");
    }

    @Test
    void everyHeaderFamilyCanBeSwitchedOff() throws Exception {
        List<String> via = new ArrayList<>();
        Received received = forward(new ForwardingConfig(List.of(), false, false, false), CLAIMING_REQUEST, via);

        assertThat(received.headers().names()).map(String::toLowerCase)
                .doesNotContain("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                        "forwarded");
        assertThat(received.headers().get("Via")).isEqualTo("1.1 cdn");
        assertThat(via).containsOnlyNulls();
    }

    @Test
    void anHttp10ClientIsNamedAs10InVia() throws Exception {
        Received received = forward(ForwardingConfig.DEFAULTS,
                "GET /old HTTP/1.0\r\nHost: shop.example\r\n\r\n", new ArrayList<>());

        assertThat(received.headers().get("Via")).isEqualTo("1.0 fulcrum");
    }

    @Test
    void forwardedElementQuotesIpv6AndHostsThatAreNotTokens() {
        InetSocketAddress v6 = new InetSocketAddress("::1", 5000);

        assertThat(ForwardedHeaders.forwardedElement(v6, "0:0:0:0:0:0:0:1", "https", "shop.example"))
                .isEqualTo("for=\"[0:0:0:0:0:0:0:1]\";proto=https;host=shop.example");
        assertThat(ForwardedHeaders.forwardedElement(new InetSocketAddress("192.0.2.1", 1), "192.0.2.1", "http", null))
                .isEqualTo("for=192.0.2.1;proto=http");
    }

    @Test
    void trustIsDecidedByThePeerAddress() {
        ForwardedHeaders headers = new ForwardedHeaders(
                new ForwardingConfig(List.of(new Subnet("192.0.2.0", 24), new Subnet("2001:db8::", 32)), true, false, true));

        assertThat(headers.trusts(new InetSocketAddress("192.0.2.77", 1))).isTrue();
        assertThat(headers.trusts(new InetSocketAddress("192.0.3.1", 1))).isFalse();
        assertThat(headers.trusts(new InetSocketAddress("2001:db8::5", 1))).isTrue();
        assertThat(headers.trusts(null)).isFalse();
    }

    @Test
    void aClientWithoutAHostGetsNoForwardedHost() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-Host", "forged");
        new ForwardedHeaders(ForwardingConfig.DEFAULTS).onRequest(headers, new InetSocketAddress("192.0.2.1", 1),
                "192.0.2.1", HttpVersion.HTTP_1_1, "http", null, "8080");

        assertThat(headers.contains("X-Forwarded-Host")).isFalse();
        assertThat(headers.get("X-Forwarded-Port")).isEqualTo("8080");
    }
}
