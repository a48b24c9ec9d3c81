package dev.fulcrum.l7;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * Builds the pipeline of an accepted HTTP connection, one named stage per concern:
 * codec -> framing guard -> proxy. TLS (in front) and timeouts (before the proxy) slot in as
 * further stages.
 */
final class HttpFrontendInitializer extends ChannelInitializer<Channel> {

    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_REQUEST_HEADERS = 16 * 1024;
    static final int MAX_CHUNK = 64 * 1024;

    private final String listener;
    private final String scheme;
    private final Supplier<L7Snapshot> snapshots;

    HttpFrontendInitializer(String listener, String scheme, Supplier<L7Snapshot> snapshots) {
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addHttpCodec(pipeline);
        addFramingGuard(pipeline);
        addProxy(pipeline);
    }

    private void addHttpCodec(ChannelPipeline pipeline) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_REQUEST_HEADERS)
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setAllowPartialChunks(true)
                // Refuses Content-Length beside Transfer-Encoding instead of silently dropping it.
                .setUseRfc9112TransferEncoding(true);
        pipeline.addLast("http-codec", new HttpServerCodec(config));
    }

    private void addFramingGuard(ChannelPipeline pipeline) {
        pipeline.addLast("framing-guard", new FramingGuard());
    }

    private void addProxy(ChannelPipeline pipeline) {
        pipeline.addLast("proxy", new ProxyHandler(listener, scheme, snapshots));
    }
}
