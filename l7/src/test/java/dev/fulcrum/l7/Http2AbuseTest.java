package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static dev.fulcrum.l7.RawH2Connection.CONTINUATION;
import static dev.fulcrum.l7.RawH2Connection.DATA;
import static dev.fulcrum.l7.RawH2Connection.HEADERS;
import static dev.fulcrum.l7.RawH2Connection.PRIORITY;
import static dev.fulcrum.l7.RawH2Connection.frame;
import static dev.fulcrum.l7.RawH2Connection.int32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.Http2Config;
import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.l7.RawH2Connection.GoAway;
import dev.fulcrum.l7.RawH2Connection.HeaderBlock;
import dev.fulcrum.l7.RawH2Connection.Response;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.lbcore.health.PassiveHealth;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 abuse is cut with GOAWAY ENHANCE_YOUR_CALM (and the connection closed) once it goes
 * past the listener's limits, a client well within them is never cut, and every GOAWAY and
 * RST_STREAM the proxy sends is counted. The limits here are small so a flood is short.
 */
class Http2AbuseTest {

    private static final Setup SETUP = new Setup(Transport.NIO, 1);
    private static final int MAX_RESETS = 20;
    private static final int MAX_RESETS_SENT = 20;
    private static final int MAX_SMALL_CONTINUATIONS = 16;
    private static final int MAX_EMPTY_DATA = 2;
    private static final int MAX_CONTROL_FRAMES = 100;
    private static final int MAX_HEADER_LIST = 16 * 1024;
    private static final Http2Config SMALL_LIMITS = new Http2Config(true, 100, Http2Config.DEFAULT_INITIAL_WINDOW,
            Http2Config.DEFAULT_CONNECTION_WINDOW, MAX_HEADER_LIST, Http2Config.DEFAULT_MAX_FRAME, MAX_RESETS,
            MAX_RESETS_SENT, Duration.ofSeconds(30), MAX_SMALL_CONTINUATIONS, MAX_EMPTY_DATA,
            Http2Config.DEFAULT_MAX_QUEUED_CONTROL_FRAMES, MAX_CONTROL_FRAMES, Duration.ofSeconds(30), 0);
    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    private TestBackend web;
    private ProxyFixture proxy;

    private <T extends AutoCloseable> T closing(T resource) {
        return resources.closing(resource);
    }

    private RawH2Connection connect() throws Exception {
        return connect(ListenerLimits.DEFAULTS);
    }

    private RawH2Connection connect(ListenerLimits limits) throws Exception {
        web = closing(new TestBackend("web"));
        proxy = closing(new ProxyFixture(SETUP, List.of(defaultRoute("web")), pools(pool("web", web)),
                PassiveHealth.NONE, new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, limits, SMALL_LIMITS)));
        return closing(new RawH2Connection(proxy.address()));
    }

    private double proxySent(String meter, Http2Error code) {
        return count(meter, MetricNames.SIDE_PROXY, code);
    }

    private double count(String meter, String side, Http2Error code) {
        Counter counter = proxy.registry.find(meter).tags(MetricNames.TAG_SIDE, side, MetricNames.TAG_CODE,
                code.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A GOAWAY with this code, the connection closed, and the GOAWAY counted once. */
    private void assertCutWith(RawH2Connection h2, Http2Error error) {
        GoAway goAway = h2.awaitGoAway();
        assertThat(goAway.error()).isEqualTo(error);
        assertThat(h2.isClosedByPeer()).isTrue();
        // Counted before the connection closed.
        assertThat(proxySent(MetricNames.HTTP2_GOAWAYS, error)).isEqualTo(1);
        assertThat(h2.goAways()).hasSize(1);
    }

    /** A POST that waits for a body: the exchange buffers it, nothing goes to the backend yet. */
    private static byte[] openUpload(int stream) {
        return frame(HEADERS, RawH2Connection.END_HEADERS, stream,
                HeaderBlock.request("POST", "/upload", "a.example").add("content-length", "10").bytes());
    }

    // ---- Rapid Reset (CVE-2023-44487) --------------------------------------------------------

    @Test
    void rapidResetBeyondMaxResetsIsCut() throws Exception {
        RawH2Connection h2 = connect();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX_RESETS; i++) {
            int stream = 1 + 2 * i;
            burst.writeBytes(openUpload(stream));
            burst.writeBytes(frame(RawH2Connection.RST_STREAM, 0, stream, int32(Http2Error.CANCEL.code())));
        }
        h2.write(burst.toByteArray());

        assertCutWith(h2, Http2Error.ENHANCE_YOUR_CALM);
        assertThat(web.receivedRequests()).isEmpty();
    }

    @Test
    void resetsWithinMaxResetsAreFine() throws Exception {
        RawH2Connection h2 = connect();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        int resets = MAX_RESETS - 2;
        for (int i = 0; i < resets; i++) {
            int stream = 1 + 2 * i;
            burst.writeBytes(openUpload(stream));
            burst.writeBytes(frame(RawH2Connection.RST_STREAM, 0, stream, int32(Http2Error.CANCEL.code())));
        }
        h2.write(burst.toByteArray());
        int next = 1 + 2 * resets;
        h2.get(next, "/after");

        assertThat(h2.awaitResponse(next).status()).isEqualTo(200);
        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(web.receivedRequests()).extracting(TestBackend.Received::uri).containsExactly("/after");
    }

    @Test
    void resetsTheClientSendsAreCounted() throws Exception {
        RawH2Connection h2 = connect();
        for (int stream = 1; stream <= 9; stream += 2) {
            h2.write(openUpload(stream)).rstStream(stream, Http2Error.CANCEL);
        }
        h2.roundTrip(1);

        await().atMost(RawH2Connection.WAIT).untilAsserted(() -> assertThat(
                count(MetricNames.HTTP2_RESETS, MetricNames.SIDE_CLIENT, Http2Error.CANCEL)).isEqualTo(5));
    }

    // ---- MadeYouReset (CVE-2025-55163) -------------------------------------------------------

    @Test
    void provokedResetsBeyondMaxResetsSentAreCut() throws Exception {
        RawH2Connection h2 = connect();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX_RESETS_SENT; i++) {
            int stream = 1 + 2 * i;
            burst.writeBytes(openUpload(stream));
            // A WINDOW_UPDATE of 0 on an open stream: a stream error the proxy must answer with a reset.
            burst.writeBytes(frame(RawH2Connection.WINDOW_UPDATE, 0, stream, int32(0)));
        }
        h2.write(burst.toByteArray());

        assertCutWith(h2, Http2Error.ENHANCE_YOUR_CALM);
        assertThat(h2.resetOf(1)).isEqualTo(Http2Error.PROTOCOL_ERROR);
        assertThat(proxySent(MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isGreaterThanOrEqualTo(
                MAX_RESETS_SENT);
        assertThat(web.receivedRequests()).isEmpty();
    }

    @Test
    void provokedResetsWithinMaxResetsSentAreFine() throws Exception {
        RawH2Connection h2 = connect();
        int provoked = MAX_RESETS_SENT - 2;
        for (int i = 0; i < provoked; i++) {
            int stream = 1 + 2 * i;
            h2.write(openUpload(stream)).windowUpdate(stream, 0);
            assertThat(h2.awaitReset(stream)).isEqualTo(Http2Error.PROTOCOL_ERROR);
        }

        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(proxySent(MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isEqualTo(provoked);
    }

    // ---- CONTINUATION flood and HPACK bomb ---------------------------------------------------

    @Test
    void continuationFloodIsCut() throws Exception {
        RawH2Connection h2 = connect();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        // A header block that never ends: HEADERS without END_HEADERS, then empty CONTINUATIONs.
        burst.writeBytes(frame(HEADERS, 0, 1, HeaderBlock.request("GET", "/", "a.example").bytes()));
        for (int i = 0; i <= MAX_SMALL_CONTINUATIONS * 4; i++) {
            burst.writeBytes(frame(CONTINUATION, 0, 1, new byte[0]));
        }
        h2.write(burst.toByteArray());

        assertCutWith(h2, Http2Error.ENHANCE_YOUR_CALM);
        assertThat(web.connections.get()).isZero();
    }

    @Test
    void hpackBombIsAnswered431WithoutBeingDecodedWhole() throws Exception {
        RawH2Connection h2 = connect();
        // One 4,000-byte field enters the dynamic table; 1,000 one-byte references to it decode
        // to about 4 MB, 250 times max_header_list. Netty stops storing fields once the list is
        // over the limit (it only adds up their sizes), so the block costs no more than the limit.
        HeaderBlock bomb = HeaderBlock.request("GET", "/bomb", "a.example").addIndexing("x-bomb", "a".repeat(4000));
        for (int i = 0; i < 1000; i++) {
            bomb.indexed(62);
        }
        assertThat(bomb.bytes().length).isLessThan(Http2Config.DEFAULT_MAX_FRAME);
        h2.headers(1, bomb, true);

        Response refused = h2.awaitResponseHead(1);
        assertThat(refused.status()).isEqualTo(431);
        assertThat(h2.awaitReset(1)).isEqualTo(Http2Error.PROTOCOL_ERROR);
        // The connection, and its HPACK state, are still good.
        h2.get(3, "/after");
        assertThat(h2.awaitResponse(3).status()).isEqualTo(200);
        assertThat(web.receivedRequests()).extracting(TestBackend.Received::uri).containsExactly("/after");
        assertThat(proxySent(MetricNames.HTTP2_RESETS, Http2Error.PROTOCOL_ERROR)).isEqualTo(1);
    }

    // ---- control-frame floods (Http2FrameGuard) ----------------------------------------------

    /** A flood: what one frame of it is, given its position. */
    record Flood(String name, IntFunction<byte[]> frame, boolean needsStream) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Flood> floods() {
        return Stream.of(
                new Flood("SETTINGS", i -> frame(RawH2Connection.SETTINGS, 0, 0, new byte[0]), false),
                new Flood("PING", i -> frame(RawH2Connection.PING, 0, 0, new byte[8]), false),
                new Flood("WINDOW_UPDATE on the connection", i -> frame(RawH2Connection.WINDOW_UPDATE, 0, 0,
                        int32(1)), false),
                new Flood("WINDOW_UPDATE on a stream", i -> frame(RawH2Connection.WINDOW_UPDATE, 0, 1, int32(1)),
                        true),
                new Flood("PRIORITY", i -> frame(PRIORITY, 0, 1, new byte[] {0, 0, 0, 0, 16}), true),
                // Every third DATA frame carries a byte, so Netty's consecutive empty-DATA limit never trips.
                new Flood("empty DATA", i -> frame(DATA, 0, 1, i % 3 == 2 ? new byte[] {'x'} : new byte[0]), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floods")
    void controlFrameFloodIsCut(Flood flood) throws Exception {
        RawH2Connection h2 = connect();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        if (flood.needsStream()) {
            burst.writeBytes(frame(HEADERS, RawH2Connection.END_HEADERS, 1,
                    HeaderBlock.request("POST", "/upload", "a.example").bytes()));
        }
        // Three times the budget (a stream earns a few frames of its own).
        for (int i = 0; i < MAX_CONTROL_FRAMES * 3; i++) {
            burst.writeBytes(flood.frame().apply(i));
        }
        h2.write(burst.toByteArray());

        assertCutWith(h2, Http2Error.ENHANCE_YOUR_CALM);
        assertThat(web.receivedRequests()).isEmpty();
    }

    @Test
    void consecutiveEmptyDataFramesAreCut() throws Exception {
        RawH2Connection h2 = connect();
        h2.headers(1, HeaderBlock.request("POST", "/upload", "a.example"), false);
        for (int i = 0; i <= MAX_EMPTY_DATA; i++) {
            h2.data(1, "", false);
        }

        assertCutWith(h2, Http2Error.ENHANCE_YOUR_CALM);
    }

    @Test
    void aBusyClientWellWithinTheLimitsIsNotCut() throws Exception {
        RawH2Connection h2 = connect();
        int streams = 300;
        int batch = 20;
        for (int first = 0; first < streams; first += batch) {
            for (int i = first; i < first + batch; i++) {
                int stream = 1 + 2 * i;
                h2.get(stream, "/busy/" + i);
                h2.windowUpdate(stream, 1024);
                if (i % 10 == 0) {
                    h2.ping(i);
                }
            }
            // A settings change now and then, as browsers do.
            h2.emptySettings();
            for (int i = first; i < first + batch; i++) {
                assertThat(h2.awaitResponse(1 + 2 * i).status()).isEqualTo(200);
            }
        }

        assertThat(h2.staysOpen(QUIET)).isTrue();
        assertThat(web.requests.get()).isEqualTo(streams);
        assertThat(proxySent(MetricNames.HTTP2_GOAWAYS, Http2Error.ENHANCE_YOUR_CALM)).isZero();
    }
}
