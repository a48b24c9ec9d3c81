package dev.fulcrum.l7;

import dev.fulcrum.config.Http2Config;
import dev.fulcrum.config.ListenerTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.logging.LogLevel;
import java.util.function.Supplier;

/**
 * The HTTP/2 stages of a client connection: frame guard (raw frames: stream order, floods) -> frame codec (settings
 * and Netty's abuse limits from {@code http2:}, required pseudo-headers validated, the RST_STREAM
 * and GOAWAY frames it sends on its own counted) -> stream multiplexer (a child channel per
 * stream, each with its {@link Http2StreamHandler}) -> the connection's {@link Http2ClientSession}.
 */
final class Http2Frontend {

    static final String FRAME_GUARD = "h2-frame-guard";
    static final String CODEC = "h2-codec";
    static final String FLUSHES = "h2-flushes";
    static final String MULTIPLEX = "h2-multiplex";
    static final String SESSION = "h2-session";

    private Http2Frontend() {
    }

    static void addTo(ChannelPipeline pipeline, Http2Config http2, ListenerTimeouts timeouts, String listener, String scheme, Supplier<L7Snapshot> snapshots, Http2Meters meters,
                      String clientCertHeader) {
        Http2FrameGuard guard = new Http2FrameGuard(http2.maxControlFrames(), http2.floodWindow().toNanos());
        Http2FrameCodec codec = codec(http2, meters);
        guard.watch(codec.connection());
        // Each stream's flush would be a write to the socket of its own: one per read batch (or
        // per event-loop turn when the connection is not reading) carries every stream's frames.
        pipeline.addLast(FLUSHES, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
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

    private static Http2FrameCodec codec(Http2Config http2, Http2Meters meters) {
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(http2.maxConcurrentStreams())
                .initialWindowSize(http2.initialWindow())
                .maxHeaderListSize(http2.maxHeaderList())
                .maxFrameSize(http2.maxFrame());
        int resetWindowSeconds = (int) Math.max(1, http2.resetWindow().toSeconds());
        return new CodecBuilder()
                .frameLogger(new FrameCounter(meters))
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

    /** Netty's server codec, built as {@link CountingCodec}. */
    private static final class CodecBuilder extends Http2FrameCodecBuilder {

        CodecBuilder() {
            server(true);
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings initialSettings) {
            CountingCodec codec = new CountingCodec(encoder, decoder, initialSettings, decoupleCloseAndGoAway(),
                    flushPreface());
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }

    /**
     * The frame codec, dropping a RST_STREAM for a stream already reset (a stream handler's
     * reset, then the multiplexer's on closing the stream): Netty would not send it, but its
     * MadeYouReset limit would count it, and every reset the client provokes would count twice.
     */
    private static final class CountingCodec extends Http2FrameCodec {

        CountingCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
                      boolean decoupleCloseAndGoAway, boolean flushPreface) {
            super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof Http2ResetFrame reset && isResetAlready(reset)) {
                promise.trySuccess();
                return;
            }
            super.write(ctx, msg, promise);
        }

        private boolean isResetAlready(Http2ResetFrame reset) {
            Http2FrameStream frameStream = reset.stream();
            Http2Stream stream = frameStream == null ? null : connection().stream(frameStream.id());
            return stream != null && stream.isResetSent();
        }
    }

    /**
     * Counts every RST_STREAM and GOAWAY of the connection, read or written, as the codec reads
     * and writes them: the one place that sees them all (those the stream handlers and the
     * session write, and those Netty sends on its own: malformed header blocks, 431, frames on
     * closed streams, its abuse limits). {@code side} is who sent the frame. On the connection's
     * event loop; frames are logged at TRACE as well.
     */
    private static final class FrameCounter extends Http2FrameLogger {
        private final Http2Meters meters;

        FrameCounter(Http2Meters meters) {
            super(LogLevel.TRACE, Http2Frontend.class);
            this.meters = meters;
        }

        @Override
        public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
            meters.reset(direction == Direction.INBOUND, errorCode);
            super.logRstStream(direction, ctx, streamId, errorCode);
        }

        @Override
        public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode,
                              ByteBuf debugData) {
            meters.goAway(direction == Direction.INBOUND, errorCode);
            super.logGoAway(direction, ctx, lastStreamId, errorCode, debugData);
        }
    }
}
