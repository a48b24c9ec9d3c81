package dev.fulcrum.l7;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.poolAtPort;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawHttpClient.Response;
import dev.fulcrum.lbcore.Transport;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real HTTP server (Jetty inside WireMock) rather than our own test backend. */
class WireMockBackendTest {

    private WireMockServer wireMock;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        LeakLog.reset();
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        wireMock.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("wiremock")));
        proxy = new ProxyFixture(new Setup(Transport.NIO, 2), List.of(defaultRoute("wm")),
                pools(poolAtPort("wm", "wm-1", wireMock.port())));
    }

    @AfterEach
    void stop() {
        proxy.close();
        wireMock.stop();
        LeakLog.assertNoLeaks();
    }

    @Test
    void backendSeesForwardingHeadersAndNoHopByHopHeaders() throws Exception {
        try (RawHttpClient client = proxy.client()) {
            // An h2c upgrade offer, as the JDK client sends it: forwarded as is, Jetty would answer 400.
            Response response = client.exchange("POST /orders/../api/orders?id=7 HTTP/1.1\r\n"
                    + "Host: shop.example\r\n"
                    + "Connection: Upgrade, HTTP2-Settings, X-Hop\r\n"
                    + "Upgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
                    + "X-Hop: 1\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: 11\r\n"
                    + "\r\n"
                    + "{\"qty\": 2}\n");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("wiremock");
            assertThat(client.exchange(RawHttpClient.get("/second", "shop.example")).body()).isEqualTo("wiremock");
        }

        List<LoggedRequest> requests = wireMock.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSize(2);
        LoggedRequest first = requests.get(0);
        assertThat(first.getUrl()).isEqualTo("/api/orders?id=7");
        assertThat(first.getBodyAsString()).isEqualTo("{\"qty\": 2}\n");
        assertThat(first.getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(first.getHeader("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(first.getHeader("X-Forwarded-Host")).isEqualTo("shop.example");
        assertThat(first.containsHeader("Upgrade")).isFalse();
        assertThat(first.containsHeader("HTTP2-Settings")).isFalse();
        assertThat(first.containsHeader("X-Hop")).isFalse();
        assertThat(first.containsHeader("Connection")).isFalse();
    }
}
