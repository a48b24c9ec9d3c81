package dev.fulcrum.l7;

import dev.fulcrum.config.ListenerTimeouts;
import dev.fulcrum.l7.MessageBoundaryScanner.Event;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * The first stage after the socket (or TLS): watches the raw request bytes before the decoder
 * sees them. It refuses obs-fold, which the decoder would silently join into one header, and
 * keeps the client-side clocks, each running only while the proxy is actually waiting on the
 * client (it has asked to read):
 * <ul>
 *   <li>waiting for a request: the first one on a connection gets the header timeout, later
 *       ones the idle timeout; on expiry the connection closes quietly;</li>
 *   <li>a header block: from its first byte to its blank line (slowloris); on expiry 408;</li>
 *   <li>a body: longest gap between body bytes the proxy asked for; on expiry 408, or a
 *       plain close once a response has started (the proxy decides).</li>
 * </ul>
 * Refusals travel down the pipeline as a {@link RequestRejection} (the decoder passes
 * non-buffer messages through), so they are answered in order; everything after is dropped.
 */
final class RequestStreamGuard extends ChannelDuplexHandler {

    static final RequestRejection OBS_FOLD =
            new RequestRejection(HttpResponseStatus.BAD_REQUEST, "bad request: obs-fold (header line continued on the next line)");
    static final RequestRejection HEADER_TIMEOUT =
            new RequestRejection(HttpResponseStatus.REQUEST_TIMEOUT, "request timeout: header block not received in time");
    static final RequestRejection BODY_TIMEOUT =
            new RequestRejection(HttpResponseStatus.REQUEST_TIMEOUT, "request timeout: request body stalled");

    private enum Clock { NONE, WAITING, HEADER, BODY }

    private final long headerNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final MessageBoundaryScanner scanner = new MessageBoundaryScanner();

    private ChannelHandlerContext ctx;
    private Deadline deadline;
    private Clock clock = Clock.NONE;
    private boolean firstRequest = true;
    private boolean refused;

    RequestStreamGuard(ListenerTimeouts timeouts) {
        this.headerNanos = timeouts.requestHeader().toNanos();
        this.bodyNanos = timeouts.requestBody().toNanos();
        this.idleNanos = timeouts.clientIdle().toNanos();
    }

    /** The framing the decoder found for the head just passed on: a length, or -1 for chunked. */
    void expectBody(long contentLength) {
        scanner.expectBody(contentLength);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadline = new Deadline(ctx.executor(), this::expired);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadline.cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel();
        ctx.fireChannelInactive();
    }

    /**
     * Keeps the socket asked for bytes while the proxy waits on the backend, though it does not
     * wait on the client: no clock starts. Dropping the read interest and asking again after
     * each response costs two {@code epoll_ctl} calls per request; kept, the interest stays
     * and a pipelined request that arrives meanwhile waits in the proxy (one read's worth).
     */
    void readAhead() {
        ctx.read();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!refused && !deadline.isArmed()) {
            if (scanner.isBetweenRequests()) {
                start(Clock.WAITING, firstRequest ? headerNanos : idleNanos);
            } else if (scanner.isInBody()) {
                start(Clock.BODY, bodyNanos);
            }
        }
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused) {
            buf.release();
            return;
        }
        if (clock != Clock.HEADER) {
            // Bytes arrived: the wait for a request or for body bytes is over.
            stop();
        }
        int end = buf.writerIndex();
        int segmentStart = buf.readerIndex();
        int pos = segmentStart;
        boolean sliced = false;
        while (pos < end && !refused) {
            pos = scanner.scan(buf, pos, end);
            Event event = scanner.event();
            switch (event) {
                case HEAD_STARTED -> {
                    firstRequest = false;
                    start(Clock.HEADER, headerNanos);
                }
                case HEAD_ENDED, MESSAGE_ENDED -> {
                    if (event == Event.HEAD_ENDED) {
                        stop();
                    }
                    boolean whole = pos == end && !sliced;
                    ctx.fireChannelRead(whole ? buf : buf.retainedSlice(segmentStart, pos - segmentStart));
                    // Passing a head on made the decoder report its framing through the framing guard.
                    scanner.framingUnknownUnlessGiven();
                    if (whole) {
                        return;
                    }
                    sliced = true;
                    segmentStart = pos;
                }
                case OBS_FOLD -> refuse(OBS_FOLD);
                default -> {
                    // NONE: the rest of the buffer belongs to the current segment.
                }
            }
        }
        if (!refused && segmentStart < end) {
            if (sliced) {
                ctx.fireChannelRead(buf.retainedSlice(segmentStart, end - segmentStart));
            } else {
                ctx.fireChannelRead(buf);
                return;
            }
        }
        buf.release();
    }

    private void expired() {
        Clock expired = clock;
        clock = Clock.NONE;
        if (refused || !ctx.channel().isActive()) {
            return;
        }
        switch (expired) {
            case WAITING -> ctx.close();
            case HEADER -> refuse(HEADER_TIMEOUT);
            case BODY -> refuse(BODY_TIMEOUT);
            default -> {
            }
        }
    }

    private void refuse(RequestRejection rejection) {
        refused = true;
        stop();
        ctx.fireChannelRead(rejection);
    }

    private void start(Clock kind, long nanos) {
        clock = kind;
        deadline.arm(nanos);
    }

    private void stop() {
        clock = Clock.NONE;
        deadline.disarm();
    }
}
