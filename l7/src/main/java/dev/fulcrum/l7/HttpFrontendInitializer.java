package dev.fulcrum.l7;

import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.lbcore.ConnectionLimit;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds the pipeline of an accepted HTTP connection, one named stage per concern:
 * [connection cap] -> [TLS] -> the protocol's stages, chosen by ALPN on https and by the
 * first bytes on http ({@link ProtocolDetector}: the HTTP/2 preface or not), unless the
 * listener has {@code http2: false}.
 * <ul>
 *   <li>HTTP/1: stream guard (raw bytes: obs-fold, client timeouts) -> codec (strict, size
 *       limits) -> framing guard -> [client certificate header] -> HTTP/1 connection handler;</li>
 *   <li>HTTP/2: see {@link Http2Frontend}.</li>
 * </ul>
 * Both end in a {@link Downstream} per request. Limits and timeouts are those of the snapshot
 * current when the connection is accepted.
 */
final class HttpFrontendInitializer extends ChannelInitializer<Channel> {

    static final int MAX_CHUNK = 64 * 1024;
    static final String STREAM_GUARD = "stream-guard";
    static final String HTTP_CODEC = "http-codec";
    static final String FRAMING_GUARD = "framing-guard";
    static final String PROXY = "proxy";
    static final String TLS = "tls";
    static final String CLIENT_CERTIFICATE = "client-certificate";
    static final String PROTOCOL_SWITCH = "protocol-switch";
    /** The stages that speak HTTP; an upgraded connection drops them and keeps the rest. */
    static final List<String> HTTP_STAGES = List.of(FRAMING_GUARD, HTTP_CODEC, STREAM_GUARD);
    /** What a lingering close removes: everything that would still parse what the client sends. */
    static final List<String> LINGER_DROPS = List.of(CLIENT_CERTIFICATE, FRAMING_GUARD, HTTP_CODEC, STREAM_GUARD);

    private final String listener;
    private final String scheme;
    private final Supplier<L7Snapshot> snapshots;
    /** Every open client connection, so a stopping listener can reach them. */
    private final ChannelGroup connections;
    private final ConnectionLimit limit;
    private final Supplier<ChannelHandler> tls;
    private final String clientCertHeader;
    private final Http2Meters meters;

    /**
     * @param limit the listener's max_connections, or null for none
     * @param tls https: a new TLS-terminating handler per connection; null for http
     * @param clientCertHeader https with client certificates: the header that carries the
     *     verified subject to backends; null when none is asked for
     */
    HttpFrontendInitializer(String listener, String scheme, Supplier<L7Snapshot> snapshots, ConnectionLimit limit,
                            Supplier<ChannelHandler> tls, String clientCertHeader, ChannelGroup connections,
                            Http2Meters meters) {
        this.meters = meters;
        this.connections = connections;
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
        this.limit = limit;
        this.tls = tls;
        this.clientCertHeader = clientCertHeader;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        HttpRoutes routes = snapshots.get().listener(listener);
        HttpEdgeConfig edge = routes == null ? HttpEdgeConfig.DEFAULTS : routes.config().edge();
        ChannelPipeline pipeline = ch.pipeline();
        if (limit != null) {
            pipeline.addLast(limit);
        }
        if (tls != null) {
            pipeline.addLast(TLS, tls.get());
        }
        if (tls == null && !edge.http2().enabled()) {
            addHttp1(pipeline, edge);
            return;
        }
        // On https what the handshake agreed decides, whatever the snapshot says now: ALPN comes
        // from the TLS runtime, which a reload swaps apart from the snapshot.
        Consumer<ChannelHandlerContext> http1 = ctx -> addHttp1(ctx.pipeline(), edge);
        Consumer<ChannelHandlerContext> http2 = ctx -> addHttp2(ctx.pipeline(), edge);
        pipeline.addLast(PROTOCOL_SWITCH, tls != null ? new AlpnSwitch(http1, http2)
                : new ProtocolDetector(http1, http2, edge.timeouts().requestHeader().toNanos()));
    }

    private void addHttp1(ChannelPipeline pipeline, HttpEdgeConfig edge) {
        meters.http1Connections.increment();
        RequestStreamGuard streamGuard = addStreamGuard(pipeline, edge);
        addHttpCodec(pipeline, edge.limits());
        addFramingGuard(pipeline, streamGuard, edge.limits());
        if (clientCertHeader != null) {
            pipeline.addLast(CLIENT_CERTIFICATE, new ClientCertificateHeader(clientCertHeader));
        }
        addHttp1Handler(pipeline, streamGuard, edge);
    }

    private void addHttp2(ChannelPipeline pipeline, HttpEdgeConfig edge) {
        Http2Frontend.addTo(pipeline, edge.http2(), edge.timeouts(), listener, scheme, snapshots, meters,
                clientCertHeader);
    }

    private RequestStreamGuard addStreamGuard(ChannelPipeline pipeline, HttpEdgeConfig edge) {
        RequestStreamGuard guard = new RequestStreamGuard(edge.timeouts(), edge.limits().minBodyRate());
        pipeline.addLast(STREAM_GUARD, guard);
        return guard;
    }

    private void addHttpCodec(ChannelPipeline pipeline, ListenerLimits limits) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.requestLine())
                .setMaxHeaderSize(limits.headerBlock())
                .setMaxChunkSize(MAX_CHUNK)
                // Refuses invalid header names and values (control characters, spaces in names).
                .setValidateHeaders(true)
                // Refuses bare LF line endings.
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setAllowPartialChunks(true)
                // Refuses Content-Length beside Transfer-Encoding, and Transfer-Encoding on HTTP/1.0.
                .setUseRfc9112TransferEncoding(true);
        pipeline.addLast(HTTP_CODEC, new HttpServerCodec(config));
    }

    private void addFramingGuard(ChannelPipeline pipeline, RequestStreamGuard streamGuard, ListenerLimits limits) {
        pipeline.addLast(FRAMING_GUARD, new FramingGuard(streamGuard, limits.headers()));
    }

    private void addHttp1Handler(ChannelPipeline pipeline, RequestStreamGuard streamGuard, HttpEdgeConfig edge) {
        pipeline.addLast(PROXY, new Http1ConnectionHandler(listener, scheme, snapshots, streamGuard,
                edge.timeouts().clientWrite().toNanos(), edge.timeouts().tunnelIdle().toNanos()));
    }
}
