package dev.fulcrum.l7;

import dev.fulcrum.config.HttpEdgeConfig;
import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.lbcore.ConnectionLimit;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.List;
import java.util.function.Supplier;

/**
 * Builds the pipeline of an accepted HTTP connection, one named stage per concern:
 * stream guard (raw bytes: obs-fold, client timeouts) -> codec (strict, size limits) ->
 * framing guard -> HTTP/1 connection handler (the {@link Downstream} of its exchanges). TLS slots in at the front. Limits and timeouts are those of the
 * snapshot current when the connection is accepted.
 */
final class HttpFrontendInitializer extends ChannelInitializer<Channel> {

    static final int MAX_CHUNK = 64 * 1024;
    static final String STREAM_GUARD = "stream-guard";
    static final String HTTP_CODEC = "http-codec";
    static final String FRAMING_GUARD = "framing-guard";
    static final String PROXY = "proxy";
    static final String TLS = "tls";
    static final String CLIENT_CERTIFICATE = "client-certificate";
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

    /**
     * @param limit the listener's max_connections, or null for none
     * @param tls https: a new TLS-terminating handler per connection; null for http
     * @param clientCertHeader https with client certificates: the header that carries the
     *     verified subject to backends; null when none is asked for
     */
    HttpFrontendInitializer(String listener, String scheme, Supplier<L7Snapshot> snapshots, ConnectionLimit limit,
                            Supplier<ChannelHandler> tls, String clientCertHeader, ChannelGroup connections) {
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
        HttpEdgeConfig edge = edgeConfig();
        ChannelPipeline pipeline = ch.pipeline();
        if (limit != null) {
            pipeline.addLast(limit);
        }
        if (tls != null) {
            pipeline.addLast(TLS, tls.get());
        }
        RequestStreamGuard streamGuard = addStreamGuard(pipeline, edge);
        addHttpCodec(pipeline, edge.limits());
        addFramingGuard(pipeline, streamGuard, edge.limits());
        if (clientCertHeader != null) {
            pipeline.addLast(CLIENT_CERTIFICATE, new ClientCertificateHeader(clientCertHeader));
        }
        addHttp1Handler(pipeline, streamGuard, edge);
    }

    private HttpEdgeConfig edgeConfig() {
        HttpRoutes routes = snapshots.get().listener(listener);
        return routes == null ? HttpEdgeConfig.DEFAULTS : routes.config().edge();
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
