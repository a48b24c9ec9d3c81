package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;

/**
 * Polices an HTTP/2 connection's frames before the codec sees them, reading only the raw
 * frame headers (9 bytes each, payloads skipped), without allocating.
 *
 * <p>Stream identifiers (RFC 9113 5.1, 5.1.1): a HEADERS frame on a stream that was opened and
 * has closed is a connection error STREAM_CLOSED, and one on an identifier below the highest
 * the client opened that it never used is a connection error PROTOCOL_ERROR. Netty cannot
 * tell these apart once a stream is gone and answers both with a reset; a reset is what a
 * HEADERS frame still in flight on a stream the proxy reset itself gets, so those are
 * remembered ({@link #resetSent}).
 *
 * <p>Floods: it bounds the frames that cost the proxy work without carrying a request: SETTINGS, PING, PRIORITY, WINDOW_UPDATE and empty DATA frames. Netty bounds
 * only what piles up unsent (queued control frames), consecutive empty DATA frames and
 * RST_STREAM (Rapid Reset); a client that reads our acknowledgements can otherwise send such
 * frames for ever. It reads the raw frame headers (9 bytes each, payloads skipped), before
 * the codec, without allocating.
 *
 * <p>Within each {@code flood_window} a connection may send {@code max_control_frames} of
 * them, plus what its use earns: four per stream it opens (PRIORITY and WINDOW_UPDATE per
 * stream are normal) and one per 4 KiB the proxy sent it (a client acknowledging the data it
 * reads).
 *
 * <p>On a violation the bytes stop here and a {@link Violation} goes down the pipeline, where
 * the connection answers GOAWAY with its code and closes.
 */
final class Http2FrameGuard extends ChannelDuplexHandler {

    /** A connection error found here, sent down the pipeline once: GOAWAY with this code, then close. */
    record Violation(Http2Error error, String reason) {
    }

    static final Violation FLOOD = new Violation(Http2Error.ENHANCE_YOUR_CALM, "over its control frame budget");
    private static final Violation ON_CLOSED_STREAM =
            new Violation(Http2Error.STREAM_CLOSED, "HEADERS on a stream that has closed");
    private static final Violation ID_OUT_OF_ORDER =
            new Violation(Http2Error.PROTOCOL_ERROR, "HEADERS on a stream identifier below one already used");

    static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER = 9;
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int PRIORITY = 0x2;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int PER_STREAM = 4;
    private static final int BYTES_PER_CREDIT = 4096;
    private static final int SKIPS_KEPT = 16;
    private static final int RESETS_KEPT = 64;

    private final int maxControlFrames;
    private final long windowNanos;

    private int prefaceLeft = PREFACE_LENGTH;
    private final byte[] header = new byte[FRAME_HEADER];
    private int headerFill;
    private int payloadLeft;

    private long windowStart = System.nanoTime();
    private int controlFrames;
    private int streamsOpened;
    private long bytesSent;
    private boolean tripped;

    /** The codec's view of which streams are open; set once the codec exists. */
    private Http2Connection connection;
    private int highestStream;
    // Identifier ranges the client skipped over (never opened), the last few.
    private final int[] skippedFrom = new int[SKIPS_KEPT];
    private final int[] skippedTo = new int[SKIPS_KEPT];
    private int skips;
    // Streams the proxy reset lately: frames still in flight on them are not the client's fault.
    private final int[] resets = new int[RESETS_KEPT];
    private int resetCursor;
    private Violation violation;

    Http2FrameGuard(int maxControlFrames, long windowNanos) {
        this.maxControlFrames = maxControlFrames;
        this.windowNanos = windowNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tripped) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf && !withinBudget(buf)) {
            tripped = true;
            buf.release();
            ctx.fireUserEventTriggered(violation);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            bytesSent += buf.readableBytes();
        } else if (msg instanceof ByteBufHolder holder) {
            bytesSent += holder.content().readableBytes();
        }
        ctx.write(msg, promise);
    }

    /** Walks the frame headers in these bytes (without consuming them); false once over the budget. */
    private boolean withinBudget(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                prefaceLeft -= n;
                i += n;
            } else if (payloadLeft > 0) {
                int n = Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
            } else {
                header[headerFill++] = buf.getByte(i++);
                if (headerFill == FRAME_HEADER) {
                    headerFill = 0;
                    payloadLeft = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                    int stream = (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8
                            | header[8] & 0xff;
                    if (!admit(header[3] & 0xff, header[4] & 0xff, payloadLeft, stream)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    void watch(Http2Connection connection) {
        this.connection = connection;
    }

    /** The proxy reset this stream: a HEADERS frame the client had already sent on it is let through. */
    void resetSent(int stream) {
        resets[resetCursor] = stream;
        resetCursor = (resetCursor + 1) % RESETS_KEPT;
    }

    private boolean admit(int type, int flags, int length, int stream) {
        switch (type) {
            case HEADERS -> {
                return headersOn(stream);
            }
            case SETTINGS, PING, PRIORITY, WINDOW_UPDATE -> {
                return count();
            }
            case DATA -> {
                return length > 0 || (flags & END_STREAM) != 0 || count();
            }
            default -> {
                // RST_STREAM and CONTINUATION have Netty's own limits; GOAWAY ends the connection anyway.
                return true;
            }
        }
    }

    private boolean headersOn(int stream) {
        if ((stream & 1) == 0) {
            // Stream 0 or a server's identifier: the codec's connection error.
            return true;
        }
        if (stream > highestStream) {
            if (stream > highestStream + 2 && skips < SKIPS_KEPT) {
                skippedFrom[skips] = highestStream + 2;
                skippedTo[skips] = stream - 2;
                skips++;
            }
            highestStream = stream;
            streamsOpened++;
            return true;
        }
        if (wasSkipped(stream)) {
            violation = ID_OUT_OF_ORDER;
            return false;
        }
        if (connection == null || stream > connection.remote().lastStreamCreated()
                || connection.stream(stream) != null || wasReset(stream)) {
            // Opened by a frame of this same read the codec has yet to see, trailers on an open
            // stream, or a stream the proxy reset.
            return true;
        }
        violation = ON_CLOSED_STREAM;
        return false;
    }

    private boolean wasSkipped(int stream) {
        for (int i = 0; i < skips; i++) {
            if (stream >= skippedFrom[i] && stream <= skippedTo[i]) {
                return true;
            }
        }
        return false;
    }

    private boolean wasReset(int stream) {
        for (int reset : resets) {
            if (reset == stream) {
                return true;
            }
        }
        return false;
    }

    private boolean count() {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            controlFrames = 0;
            streamsOpened = 0;
            bytesSent = 0;
        }
        controlFrames++;
        if (controlFrames <= maxControlFrames + (long) PER_STREAM * streamsOpened + bytesSent / BYTES_PER_CREDIT) {
            return true;
        }
        violation = FLOOD;
        return false;
    }
}
