package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.host;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.ProxyFixture.route;
import static dev.fulcrum.l7.ProxyFixture.streamingRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.config.PoolConfig;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawH2Connection.HeaderBlock;
import dev.fulcrum.l7.RawH2Connection.Refusal;
import dev.fulcrum.l7.TestBackend.Received;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an HTTP/2 client sends is held to RFC 9113 8.2-8.3 before any of it reaches an HTTP/1
 * backend (the h2-to-h1 downgrade attacks): a malformed request is a stream error, refused with
 * RST_STREAM PROTOCOL_ERROR (whether Netty's header validation or the proxy's own finds it), and
 * never forwarded; a well-formed one reaches the backend as HTTP/1 would have sent it (one Host
 * from :authority, cookies joined, the path normalised). Stream identifiers out of order are
 * connection errors (RFC 9113 5.1.1), except frames still in flight on a stream the proxy reset.
 */
class Http2StrictnessTest {

    private static final Setup SETUP = new Setup(Transport.NIO, 1);
    private static final Duration QUIET = Duration.ofMillis(300);

    /** A header block the proxy must refuse. */
    record Malformed(String reason, HeaderBlock block) {
        @Override
        public String toString() {
            return reason;
        }
    }

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    /** A GET of /attack with these fields after its pseudo-headers. */
    private static Malformed malformed(String reason, UnaryOperator<HeaderBlock> extra) {
        return new Malformed(reason, extra.apply(HeaderBlock.request("GET", "/attack", "a.example")));
    }

    private static Malformed malformed(String reason, HeaderBlock block) {
        return new Malformed(reason, block);
    }

    static Stream<Malformed> malformedHeads() {
        return Stream.of(
                // Names: lowercase tokens only (RFC 9113 8.2.1).
                malformed("uppercase name", b -> b.add("X-Upper", "1")),
                malformed("uppercase pseudo-header", new HeaderBlock().add(":METHOD", "GET").add(":scheme", "http")
                        .add(":path", "/attack").add(":authority", "a.example")),
                malformed("space in a name", b -> b.add("x y", "1")),
                malformed("colon inside a name", b -> b.add("x:y", "1")),
                malformed("quote in a name", b -> b.add("x\"y", "1")),
                malformed("NUL in a name", b -> b.add("x\u0000y", "1")),
                malformed("empty name", b -> b.add("", "1")),
                // Values: no CR, LF, NUL, no white space at either end.
                malformed("CR in a value", b -> b.add("x-a", "a\rb")),
                malformed("LF in a value", b -> b.add("x-a", "a\nb")),
                malformed("CRLF and a header in a value", b -> b.add("x-a", "a\r\nx-injected: 1")),
                malformed("NUL in a value", b -> b.add("x-a", "a\u0000b")),
                malformed("leading space in a value", b -> b.add("x-a", " a")),
                malformed("leading tab in a value", b -> b.add("x-a", "\ta")),
                malformed("trailing space in a value", b -> b.add("x-a", "a ")),
                malformed("trailing tab in a value", b -> b.add("x-a", "a\t")),
                malformed("CR in :path", HeaderBlock.request("GET", "/a\rb", "a.example")),
                malformed("space in :authority", HeaderBlock.request("GET", "/", "a.example x")),
                // Connection-specific fields (RFC 9113 8.2.2).
                malformed("connection", b -> b.add("connection", "keep-alive")),
                malformed("keep-alive", b -> b.add("keep-alive", "timeout=5")),
                malformed("proxy-connection", b -> b.add("proxy-connection", "keep-alive")),
                malformed("transfer-encoding", b -> b.add("transfer-encoding", "chunked")),
                malformed("upgrade", b -> b.add("upgrade", "websocket")),
                malformed("te other than trailers", b -> b.add("te", "gzip")),
                malformed("te with trailers and more", b -> b.add("te", "trailers, gzip")),
                // Pseudo-headers (RFC 9113 8.3).
                malformed("no :method", new HeaderBlock().add(":scheme", "http").add(":path", "/attack")
                        .add(":authority", "a.example")),
                malformed("no :scheme", new HeaderBlock().add(":method", "GET").add(":path", "/attack")
                        .add(":authority", "a.example")),
                malformed("no :path", new HeaderBlock().add(":method", "GET").add(":scheme", "http")
                        .add(":authority", "a.example")),
                malformed("two :path", new HeaderBlock().add(":path", "/other").add(":method", "GET")
                        .add(":scheme", "http").add(":path", "/attack").add(":authority", "a.example")),
                malformed("two :method", new HeaderBlock().add(":method", "POST").add(":method", "GET")
                        .add(":scheme", "http").add(":path", "/attack").add(":authority", "a.example")),
                malformed("two :authority", b -> b.add(":authority", "b.example")),
                malformed("unknown pseudo-header", new HeaderBlock().add(":method", "GET").add(":scheme", "http")
                        .add(":path", "/attack").add(":authority", "a.example").add(":foo", "bar")),
                malformed("response pseudo-header in a request", new HeaderBlock().add(":status", "200")
                        .add(":method", "GET").add(":scheme", "http").add(":path", "/attack")),
                malformed("pseudo-header after a regular field", new HeaderBlock().add(":method", "GET")
                        .add(":scheme", "http").add("x-a", "1").add(":path", "/attack")
                        .add(":authority", "a.example")),
                malformed(":path not starting with /", HeaderBlock.request("GET", "attack", "a.example")),
                malformed("empty :path", HeaderBlock.request("GET", "", "a.example")),
                malformed(":path in absolute form", HeaderBlock.request("GET", "http://a.example/attack", "a.example")),
                malformed(":path * with GET", HeaderBlock.request("GET", "*", "a.example")),
                malformed(":path * with POST", HeaderBlock.request("POST", "*", "a.example")),
                malformed("userinfo in :authority", HeaderBlock.request("GET", "/attack", "user@a.example")),
                malformed("user and password in :authority", HeaderBlock.request("GET", "/attack", "u:p@a.example")),
                malformed("empty :authority", HeaderBlock.request("GET", "/attack", "")),
                malformed("host differing from :authority", b -> b.add("host", "b.example")),
                malformed("two host fields", new HeaderBlock().add(":method", "GET").add(":scheme", "http")
                        .add(":path", "/attack").add("host", "a.example").add("host", "b.example")),
                malformed("content-length without DATA", b -> b.add("content-length", "5")),
                malformed("content-length not a number", b -> b.add("content-length", "abc")),
                malformed("two content-length fields that differ", b -> b.add("content-length", "0")
                        .add("content-length", "5")));
    }

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private ProxyFixture proxy(TestBackend web) throws Exception {
        return proxy(List.of(defaultRoute("web")), web);
    }

    private ProxyFixture proxy(List<RouteConfig> routes, TestBackend... backends) throws Exception {
        return closing(new ProxyFixture(SETUP, routes, poolsOf(backends), PassiveHealth.NONE, HttpEdgeConfig.DEFAULTS));
    }

    private static Map<String, PoolConfig> poolsOf(TestBackend... backends) {
        return pools(Stream.of(backends).map(b -> pool(b.name(), b)).toArray(PoolConfig[]::new));
    }

    private RawH2Connection connect(ProxyFixture proxy) throws Exception {
        return closing(new RawH2Connection(proxy.address()));
    }

    private static double proxySent(ProxyFixture proxy, String meter, Http2Error code) {
        Counter counter = proxy.registry.find(meter).tags(MetricNames.TAG_SIDE, MetricNames.SIDE_PROXY,
                MetricNames.TAG_CODE, code.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void malformedRequestHeadIsRefusedAndNeverForwarded(Malformed malformed) throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(web);
        RawH2Connection h2 = connect(proxy);

        h2.headers(1, malformed.block(), true);

        // A stream error (RFC 9113 8.1.1): the connection goes on.
        assertThat(h2.awaitRefusal(1)).isEqualTo(Refusal.reset(Http2Error.PROTOCOL_ERROR));
        h2.get(3, "/ok");
        assertThat(h2.awaitResponse(3).status()).isEqualTo(200);
        assertThat(proxySent(proxy, MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isEqualTo(1);
        assertThat(h2.goAways()).isEmpty();
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/ok");
    }

    @Test
    void identicalContentLengthFieldsReachTheBackendAsOne() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        // RFC 9110 8.6 lets a recipient merge identical values; Netty does, before anyone else sees the block.
        h2.headers(1, HeaderBlock.request("POST", "/twice", "a.example").add("content-length", "3")
                .add("content-length", "3"), false);
        h2.data(1, "abc", true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        Received received = web.receivedRequests().get(0);
        assertThat(received.headers().getAll("content-length")).containsExactly("3");
        assertThat(received.bodyBytes()).isEqualTo(3);
    }

    @Test
    void teTrailersIsAllowed() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        h2.headers(1, HeaderBlock.request("GET", "/te", "a.example").add("te", "trailers"), true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/te");
    }

    @Test
    void optionsAsteriskIsForwarded() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        h2.headers(1, HeaderBlock.request("OPTIONS", "*", "a.example"), true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        assertThat(web.receivedRequests()).extracting(Received::method, Received::uri)
                .containsExactly(tuple("OPTIONS", "*"));
    }

    @Test
    void hostEqualToAuthorityIsForwardedAsOneHost() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        h2.headers(1, HeaderBlock.request("GET", "/same", "a.example").add("host", "a.example"), true);
        h2.headers(3, HeaderBlock.request("GET", "/case", "a.example").add("host", "A.Example"), true);
        h2.headers(5, HeaderBlock.request("GET", "/only-authority", "a.example:8080"), true);

        for (int stream : new int[] {1, 3, 5}) {
            assertThat(h2.awaitResponse(stream).status()).isEqualTo(200);
        }
        assertThat(web.receivedRequests()).hasSize(3).allSatisfy(received ->
                assertThat(received.headers().getAll("host")).as(received.uri()).hasSize(1));
        assertThat(web.receivedRequests()).extracting(r -> r.headers().get("host"))
                .containsExactlyInAnyOrder("a.example", "a.example", "a.example:8080");
    }

    @Test
    void routesOnAuthority() throws Exception {
        TestBackend a = closing(new TestBackend("a"));
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(List.of(route("a", host("a.example"), "a"), defaultRoute("web")), a, web);
        RawH2Connection h2 = connect(proxy);

        h2.headers(1, HeaderBlock.request("GET", "/to-a", "a.example"), true);
        h2.headers(3, HeaderBlock.request("GET", "/to-web", "b.example"), true);

        assertThat(h2.awaitResponse(1).body()).isEqualTo("a");
        assertThat(h2.awaitResponse(3).body()).isEqualTo("web");
        assertThat(a.receivedRequests()).extracting(Received::uri).containsExactly("/to-a");
        assertThat(a.receivedRequests().get(0).headers().get("host")).isEqualTo("a.example");
    }

    @Test
    void http2ConversionHeadersFromTheClientNeverReachTheBackend() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        h2.headers(1, HeaderBlock.request("GET", "/", "a.example").add("x-http2-stream-id", "7")
                .add("x-http2-scheme", "https").add("x-http2-path", "/admin").add("x-kept", "1"), true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        Received received = web.receivedRequests().get(0);
        assertThat(received.headers().names()).noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("x-http2-"));
        assertThat(received.headers().get("x-kept")).isEqualTo("1");
    }

    @Test
    void cookieFieldsAreJoinedForAnHttp1Backend() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        RawH2Connection h2 = connect(proxy(web));

        h2.headers(1, HeaderBlock.request("GET", "/", "a.example").add("cookie", "a=1").add("x-between", "1")
                .add("cookie", "b=2"), true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        assertThat(web.receivedRequests().get(0).headers().getAll("cookie")).containsExactly("a=1; b=2");
    }

    @Test
    void pathsAreNormalisedExactlyAsForHttp1() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(web);
        List<String> paths = List.of("/a/../b", "/a/./b/../../c", "/a/%2e%2e/b", "/%7Euser/%41", "/a//b",
                "/../../x", "/a%2fb", "/q?x=/../y");

        for (String path : paths) {
            int before = web.receivedRequests().size();
            int http1Status;
            try (RawHttpClient client = proxy.client()) {
                http1Status = client.exchange(RawHttpClient.get(path, "a.example")).status();
            }
            List<String> http1 = uris(web, before);

            RawH2Connection h2 = connect(proxy);
            int middle = web.receivedRequests().size();
            h2.get(1, path);
            int http2Status = h2.awaitResponse(1).status();
            List<String> http2 = uris(web, middle);
            h2.close();

            assertThat(http2Status).as(path).isEqualTo(http1Status);
            assertThat(http2).as(path).isEqualTo(http1);
        }
        assertThat(web.receivedRequests()).extracting(Received::uri).contains("/b", "/c", "/~user/A");
    }

    private static List<String> uris(TestBackend backend, int from) {
        List<Received> all = backend.receivedRequests();
        return all.subList(from, all.size()).stream().map(Received::uri).toList();
    }

    // ---- stream identifiers (RFC 9113 5.1, 5.1.1) ---------------------------------------------

    @Test
    void headersOnAStreamThatClosedNormallyIsAConnectionError() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(web);
        RawH2Connection h2 = connect(proxy);
        h2.get(1, "/first");
        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);

        h2.get(1, "/again");

        assertThat(h2.awaitGoAway()).isEqualTo(new RawH2Connection.GoAway(1, Http2Error.STREAM_CLOSED.code()));
        assertThat(h2.isClosedByPeer()).isTrue();
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/first");
        assertThat(proxySent(proxy, MetricNames.HTTP2_GOAWAYS, Http2Error.STREAM_CLOSED)).isEqualTo(1);
    }

    @Test
    void headersOnALowerNeverUsedIdentifierIsAConnectionError() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = proxy(web);
        RawH2Connection h2 = connect(proxy);
        h2.get(5, "/five");
        assertThat(h2.awaitResponse(5).status()).isEqualTo(200);

        h2.get(3, "/three");

        assertThat(h2.awaitGoAway()).isEqualTo(new RawH2Connection.GoAway(5, Http2Error.PROTOCOL_ERROR.code()));
        assertThat(h2.isClosedByPeer()).isTrue();
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/five");
        assertThat(proxySent(proxy, MetricNames.HTTP2_GOAWAYS, Http2Error.PROTOCOL_ERROR)).isEqualTo(1);
    }

    @Test
    void trailersOnAStreamTheProxyResetDoNotEndTheConnection() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        // A body limit of 16 bytes: a request announcing more is answered 413 at its head.
        ProxyFixture proxy = closing(new ProxyFixture(SETUP, List.of(defaultRoute("web")), pools(pool("web", web)),
                PassiveHealth.NONE, new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, new ListenerLimits(
                        ListenerLimits.DEFAULT_REQUEST_LINE, ListenerLimits.DEFAULT_HEADER_BLOCK,
                        ListenerLimits.DEFAULT_HEADERS, 16))));
        RawH2Connection h2 = connect(proxy);

        h2.headers(1, HeaderBlock.request("POST", "/big", "a.example").add("content-length", "100"), false);
        assertThat(h2.awaitResponse(1).status()).isEqualTo(413);
        // The response is whole and the rest of the request unwanted (RFC 9113 8.1).
        assertThat(h2.awaitReset(1)).isEqualTo(Http2Error.NO_ERROR);
        // What the client had already sent when the reset reached it.
        h2.data(1, "x".repeat(50), false);
        h2.headers(1, new HeaderBlock().add("x-checksum", "1"), true);
        h2.get(3, "/after");

        assertThat(h2.awaitResponse(3).status()).isEqualTo(200);
        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(web.receivedRequests()).extracting(Received::uri).containsExactly("/after");
    }

    // ---- content-length and trailers: the request already streams to the backend -------------

    private ProxyFixture streamingProxy(TestBackend web) throws Exception {
        return closing(new ProxyFixture(SETUP, List.of(streamingRoute("web")), pools(pool("web", web)),
                PassiveHealth.NONE, HttpEdgeConfig.DEFAULTS));
    }

    /** Opens a POST on stream 1 and waits until its first body bytes reached the backend. */
    private static void startUpload(RawH2Connection h2, TestBackend web, HeaderBlock head) {
        h2.headers(1, head, false);
        h2.data(1, "abc", false);
        await().atMost(RawH2Connection.WAIT).until(() -> web.bytesReceived.get() == 3);
    }

    private static void assertCutAtTheBackend(TestBackend web) {
        await().atMost(RawH2Connection.WAIT).until(() -> web.closedConnections.get() == web.connections.get());
        assertThat(web.connections.get()).isEqualTo(1);
        assertThat(web.receivedRequests()).isEmpty();
    }

    @Test
    void moreDataThanContentLengthIsRefusedAndTheBackendRequestCut() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = streamingProxy(web);
        RawH2Connection h2 = connect(proxy);

        startUpload(h2, web, HeaderBlock.request("POST", "/upload", "a.example").add("content-length", "5"));
        h2.data(1, "defgh", true);

        assertThat(h2.awaitRefusal(1)).isEqualTo(Refusal.reset(Http2Error.PROTOCOL_ERROR));
        assertCutAtTheBackend(web);
        assertThat(web.bytesReceived.get()).isEqualTo(3);
        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(proxySent(proxy, MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isEqualTo(1);
    }

    @Test
    void lessDataThanContentLengthIsRefusedAndTheBackendRequestCut() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = streamingProxy(web);
        RawH2Connection h2 = connect(proxy);

        startUpload(h2, web, HeaderBlock.request("POST", "/upload", "a.example").add("content-length", "10"));
        h2.data(1, "de", true);

        assertThat(h2.awaitRefusal(1)).isEqualTo(Refusal.reset(Http2Error.PROTOCOL_ERROR));
        assertCutAtTheBackend(web);
        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(proxySent(proxy, MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isEqualTo(1);
    }

    @Test
    void pseudoHeaderInTrailersIsRefusedAndTheBackendRequestCut() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = streamingProxy(web);
        RawH2Connection h2 = connect(proxy);

        startUpload(h2, web, HeaderBlock.request("POST", "/upload", "a.example"));
        h2.headers(1, new HeaderBlock().add(":path", "/admin").add("x-checksum", "1"), true);

        assertThat(h2.awaitRefusal(1)).isEqualTo(Refusal.reset(Http2Error.PROTOCOL_ERROR));
        assertCutAtTheBackend(web);
        assertThat(h2.staysOpen(QUIET)).isTrue();
    }

    @Test
    void connectionSpecificFieldInTrailersIsRefusedAndTheBackendRequestCut() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = streamingProxy(web);
        RawH2Connection h2 = connect(proxy);

        startUpload(h2, web, HeaderBlock.request("POST", "/upload", "a.example"));
        h2.headers(1, new HeaderBlock().add("transfer-encoding", "chunked"), true);

        assertThat(h2.awaitRefusal(1)).isEqualTo(Refusal.reset(Http2Error.PROTOCOL_ERROR));
        assertCutAtTheBackend(web);
    }

    @Test
    void wellFormedTrailersAndBodyArriveWhole() throws Exception {
        TestBackend web = closing(new TestBackend("web"));
        ProxyFixture proxy = streamingProxy(web);
        RawH2Connection h2 = connect(proxy);

        startUpload(h2, web, HeaderBlock.request("POST", "/upload", "a.example").add("content-length", "5"));
        h2.data(1, "de", false);
        h2.headers(1, new HeaderBlock().add("x-checksum", "1"), true);

        assertThat(h2.awaitResponse(1).status()).isEqualTo(200);
        assertThat(web.receivedRequests()).extracting(Received::bodyBytes).containsExactly(5L);
    }
}
