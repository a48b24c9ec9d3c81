package dev.fulcrum.config;

import java.time.Duration;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads HTTP/2: a listener's {@code http2} (true, false or a mapping of settings) and a pool's
 * {@code protocol} and {@code http2} mapping.
 */
final class Http2Reader {

    private static final String ON_OFF_EXPECTED = "true, false or a mapping of HTTP/2 settings";

    private final ParseContext ctx;

    Http2Reader(ParseContext ctx) {
        this.ctx = ctx;
    }

    /** A listener's {@code http2}; absent: on with the defaults. */
    Http2Config listener(MapReader listener) {
        return listener.node("http2").map(n -> n instanceof MappingNode
                ? MapReader.of(ctx, "listener_http2", n, listener.path("http2"))
                        .map(r -> r.read(this::listenerSettings)).orElse(Http2Config.DEFAULTS)
                : listener.parse(n, listener.path("http2"), onOff()).orElse(Http2Config.DEFAULTS))
                .orElse(Http2Config.DEFAULTS);
    }

    private static ValueParser<Http2Config> onOff() {
        return node -> {
            try {
                return Scalars.bool().parse(node) ? Http2Config.DEFAULTS : Http2Config.DISABLED;
            } catch (Invalid e) {
                throw new Invalid("expected " + ON_OFF_EXPECTED + ", got " + Scalars.describe(node));
            }
        };
    }

    private Http2Config listenerSettings(MapReader r) {
        Http2Config d = Http2Config.DEFAULTS;
        int streams = r.optional("max_concurrent_streams", Scalars.integer(1, Integer.MAX_VALUE),
                d.maxConcurrentStreams());
        int initial = r.optional("initial_window", window(), d.initialWindow());
        int connection = r.optional("connection_window", window(), d.connectionWindow());
        checkWindows(r, initial, connection);
        return new Http2Config(true, streams, initial, connection,
                r.optional("max_header_list", maxHeaderList(), d.maxHeaderList()),
                r.optional("max_frame", Scalars.size(Http2Config.MIN_MAX_FRAME, Http2Config.MAX_MAX_FRAME),
                        d.maxFrame()),
                r.optional("max_resets", atLeastOne(), d.maxResets()),
                r.optional("max_resets_sent", atLeastOne(), d.maxResetsSent()),
                r.optional("reset_window", wholeSeconds(abuseWindow()), d.resetWindow()),
                r.optional("max_small_continuations", atLeastOne(), d.maxSmallContinuations()),
                r.optional("max_empty_data", atLeastOne(), d.maxEmptyData()),
                r.optional("max_queued_control_frames", atLeastOne(), d.maxQueuedControlFrames()),
                r.optional("max_control_frames", atLeastOne(), d.maxControlFrames()),
                r.optional("flood_window", abuseWindow(), d.floodWindow()),
                r.optional("max_requests", Scalars.integer(0, Integer.MAX_VALUE), d.maxRequests()));
    }

    /** What a pool speaks to its servers, and its HTTP/2 settings. */
    record Upstream(UpstreamProtocol protocol, UpstreamHttp2Config settings) {
    }

    /**
     * A pool's {@code protocol} and {@code http2} mapping. {@code auto} needs {@code tls}, since ALPN
     * is what chooses; the mapping needs a protocol that may speak HTTP/2.
     */
    Upstream upstream(MapReader pool) {
        Optional<UpstreamProtocol> written = pool.optional("protocol",
                Scalars.enumOf(UpstreamProtocol.class, "upstream protocol"));
        UpstreamProtocol protocol = written.orElse(UpstreamProtocol.HTTP1);
        if (protocol == UpstreamProtocol.AUTO && !pool.has("tls")) {
            ctx.error(pool.node("protocol").orElseThrow(), pool.path("protocol"), "protocol auto lets ALPN choose"
                    + " between h2 and http/1.1 and needs tls; a plain pool speaks http1 or http2 (h2c, prior"
                    + " knowledge)");
        }
        Optional<UpstreamHttp2Config> settings = pool.section("http2", "upstream_http2", this::upstreamSettings);
        // A protocol that did not parse was reported already; do not guess what it meant.
        boolean http1 = written.isPresent() ? protocol == UpstreamProtocol.HTTP1 : !pool.has("protocol");
        if (http1 && pool.has("http2")) {
            pool.errorAtKey("http2", "http2 settings need protocol http2 or auto"
                    + (pool.has("protocol") ? ", not http1" : " (the pool's protocol is http1, the default)"));
        }
        return new Upstream(protocol, settings.orElse(UpstreamHttp2Config.DEFAULTS));
    }

    private UpstreamHttp2Config upstreamSettings(MapReader r) {
        UpstreamHttp2Config d = UpstreamHttp2Config.DEFAULTS;
        int streams = r.optional("max_concurrent_streams", Scalars.integer(1, Integer.MAX_VALUE),
                d.maxConcurrentStreams());
        int initial = r.optional("initial_window", window(), d.initialWindow());
        int connection = r.optional("connection_window", window(), d.connectionWindow());
        checkWindows(r, initial, connection);
        return new UpstreamHttp2Config(streams, initial, connection,
                r.optional("max_header_list", maxHeaderList(), d.maxHeaderList()),
                r.optional("max_requests", Scalars.integer(0, Integer.MAX_VALUE), d.maxRequests()),
                r.optional("ping_interval", Scalars.duration(), d.pingInterval()),
                r.optional("ping_timeout", Scalars.positiveDuration(), d.pingTimeout()));
    }

    /** A connection window below the stream window would let one stream stall all the others. */
    private void checkWindows(MapReader r, int initial, int connection) {
        if (connection < initial) {
            Node at = r.node("connection_window").or(() -> r.node("initial_window")).orElse(r.node());
            ctx.error(at, r.path("connection_window"), "connection_window " + Sizes.format(connection)
                    + (r.has("connection_window") ? "" : " (the default)") + " must not be smaller than"
                    + " initial_window " + Sizes.format(initial));
        }
    }

    private static ValueParser<Integer> window() {
        return Scalars.size(Http2Config.MIN_WINDOW, Http2Config.MAX_WINDOW);
    }

    private static ValueParser<Integer> maxHeaderList() {
        return Scalars.size(Http2Config.MIN_MAX_HEADER_LIST, Http2Config.MAX_MAX_HEADER_LIST);
    }

    /** Abuse limits cannot be turned off: 0 would be no limit at all, not a strict one. */
    private static ValueParser<Integer> atLeastOne() {
        return Scalars.integer(1, Integer.MAX_VALUE);
    }

    private static ValueParser<Duration> abuseWindow() {
        return Scalars.duration(Http2Config.MIN_ABUSE_WINDOW, Http2Config.MAX_ABUSE_WINDOW);
    }

    /** The HTTP/2 codec takes its reset window in whole seconds. */
    private static ValueParser<Duration> wholeSeconds(ValueParser<Duration> parser) {
        return parser.then(d -> {
            if (d.toMillisPart() != 0) {
                throw new Invalid(Durations.format(d) + " is not a whole number of seconds; expected e.g. 30s");
            }
            return d;
        });
    }
}
