package dev.fulcrum.l7;

import dev.fulcrum.config.Http2Config;
import dev.fulcrum.config.ListenerTimeouts;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.function.Supplier;

/**
 * The HTTP/2 stages of a client connection: frame guard (raw frames: stream order, floods) -> frame codec (settings
 * and Netty's abuse limits from {@code http2:}, required pseudo-headers validated) -> stream
 * multiplexer (a child channel per stream, each with its {@link Http2StreamHandler}) -> the
 * connection's {@link Http2ClientSession}.
 */
final class Http2Frontend {

    static final String FRAME_GUARD = "h2-frame-guard";
    static final String CODEC = "h2-codec";
    static final String MULTIPLEX = "h2-multiplex";
    static final String SESSION = "h2-session";

    private Http2Frontend() {
    }

    static void addTo(ChannelPipeline pipeline, Http2Config http2, ListenerTimeouts timeouts, long drainMillis,
                      String listener, String scheme, Supplier<L7Snapshot> snapshots, Http2Meters meters,
                      String clientCertHeader) {
        Http2FrameGuard guard = new Http2FrameGuard(http2.maxControlFrames(), http2.floodWindow().toNanos());
        Http2FrameCodec codec = codec(http2, drainMillis);
        guard.watch(codec.connection());
        pipeline.addLast(FRAME_GUARD, guard);
        pipeline.addLast(CODEC, codec);
        Http2ClientSession session = new Http2ClientSession(listener, scheme, snapshots, meters, clientCertHeader,
                timeouts.clientIdle().toNanos(), timeouts.requestBody().toNanos(), timeouts.clientWrite().toNanos(),
                http2.connectionWindow(), http2.maxRequests(), guard);
        pipeline.addLast(MULTIPLEX, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                // Read only when the exchange can take more: the stream's window is the backpressure.
                stream.config().setAutoRead(false);
                stream.pipeline().addLast(new Http2StreamHandler(session));
            }
        }));
        pipeline.addLast(SESSION, session);
    }

    private static Http2FrameCodec codec(Http2Config http2, long drainMillis) {
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(http2.maxConcurrentStreams())
                .initialWindowSize(http2.initialWindow())
                .maxHeaderListSize(http2.maxHeaderList())
                .maxFrameSize(http2.maxFrame());
        int resetWindowSeconds = (int) Math.max(1, http2.resetWindow().toSeconds());
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                // Streams in flight get the listener's drain (the session closes once they are over, the drain at its
                // deadline): a close asked for is done at once.
                .gracefulShutdownTimeoutMillis(0)
                // Rapid Reset (CVE-2023-44487): resets the client sends; MadeYouReset (CVE-2025-55163): resets it provokes.
                .decoderEnforceMaxRstFramesPerWindow(http2.maxResets(), resetWindowSeconds)
                .encoderEnforceMaxRstFramesPerWindow(http2.maxResetsSent(), resetWindowSeconds)
                .decoderEnforceMaxSmallContinuationFrames(http2.maxSmallContinuations())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(http2.maxEmptyData())
                .encoderEnforceMaxQueuedControlFrames(http2.maxQueuedControlFrames())
                .build();
    }
}
