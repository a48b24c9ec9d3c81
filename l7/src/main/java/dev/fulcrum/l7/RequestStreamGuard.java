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
 *   <li>a body: longest gap between body bytes the proxy asked for, and (after that long
 *       of grace) the average rate while the proxy waited for them ({@code min_body_rate}),
 *       so a client sending a byte now and then cannot hold the request open forever; on
 *       expiry 408, or a plain close once a response has started (the proxy decides).</li>
 * </ul>
 * After a request that asks to upgrade, the bytes that follow are held raw
 * ({@link #holdAfterMessage()}): they belong to the new protocol if the backend agrees, and
 * to the next request if it declines.
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
    static final RequestRejection BODY_TOO_SLOW =
            new RequestRejection(HttpResponseStatus.REQUEST_TIMEOUT, "request timeout: request body too slow");

    private enum Clock { NONE, WAITING, HEADER, BODY }

    private final long headerNanos;
    private final long bodyNanos;
    private final long idleNanos;
    /** Bytes per second; 0: no rate is enforced. */
    private final long minBodyRate;
    private final MessageBoundaryScanner scanner = new MessageBoundaryScanner();

    // The body being read: its bytes, and how long the proxy has waited for them.
    private long bodyBytes;
    private long bodyWaitedNanos;
    private long waitStartedNanos;
    private boolean bodyTracked;

    // Raw bytes held after an upgrade request, until the backend's answer says whose they are.
    private boolean holding;
    private ByteBuf held;

    private ChannelHandlerContext ctx;
    private Deadline deadline;
    private Clock clock = Clock.NONE;
    private boolean firstRequest = true;
    private boolean refused;

    RequestStreamGuard(ListenerTimeouts timeouts, long minBodyRate) {
        this.headerNanos = timeouts.requestHeader().toNanos();
        this.bodyNanos = timeouts.requestBody().toNanos();
        this.idleNanos = timeouts.clientIdle().toNanos();
        this.minBodyRate = minBodyRate;
    }

    RequestStreamGuard(ListenerTimeouts timeouts) {
        this(timeouts, 0);
    }

    /** Holds the raw bytes that follow the message now passing through, until told whose they are. */
    void holdAfterMessage() {
        holding = true;
    }

    /** The upgrade went through: what was held is the new protocol's (null when nothing came). */
    ByteBuf takeHeld() {
        holding = false;
        ByteBuf bytes = held;
        held = null;
        return bytes;
    }

    /** The upgrade was declined: what was held is read as HTTP again. */
    void releaseHeld() {
        holding = false;
        ByteBuf bytes = held;
        held = null;
        if (bytes != null) {
            channelRead(ctx, bytes);
        }
    }

    private void hold(ByteBuf bytes) {
        if (held == null) {
            held = bytes;
        } else {
            held = ctx.alloc().compositeBuffer().addComponents(true, held, bytes);
        }
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
        releaseHeldBytes();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel();
        releaseHeldBytes();
        ctx.fireChannelInactive();
    }

    private void releaseHeldBytes() {
        if (held != null) {
            held.release();
            held = null;
        }
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
        if (!refused && !holding && !deadline.isArmed()) {
            if (scanner.isBetweenRequests()) {
                start(Clock.WAITING, firstRequest ? headerNanos : idleNanos);
            } else if (scanner.isInBody()) {
                waitForBody();
            }
        }
        ctx.read();
    }

    /** The proxy asks for body bytes: the gap clock runs, and the rate clock if one is set. */
    private void waitForBody() {
        long now = System.nanoTime();
        if (!bodyTracked) {
            bodyTracked = true;
            bodyBytes = 0;
            bodyWaitedNanos = 0;
        }
        waitStartedNanos = now;
        long due = bodyNanos;
        if (minBodyRate > 0) {
            // When the average would fall below the rate if nothing more came (after the grace).
            long rateDue = Math.max(bodyNanos, bodyBytes * 1_000_000_000L / minBodyRate) - bodyWaitedNanos;
            due = Math.min(due, Math.max(rateDue, 0));
        }
        start(Clock.BODY, due);
    }

    /** Body bytes came: counted, with the time waited for them. @return false when too slow */
    private boolean bodyArrived(int bytes) {
        if (!bodyTracked) {
            return true;
        }
        if (waitStartedNanos != 0) {
            bodyWaitedNanos += System.nanoTime() - waitStartedNanos;
            waitStartedNanos = 0;
        }
        bodyBytes += bytes;
        return !tooSlow();
    }

    private boolean tooSlow() {
        return minBodyRate > 0 && bodyWaitedNanos > bodyNanos
                && bodyBytes * 1_000_000_000L < minBodyRate * bodyWaitedNanos;
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
        if (holding && scanner.isBetweenRequests()) {
            hold(buf);
            return;
        }
        if (clock != Clock.HEADER) {
            // Bytes arrived: the wait for a request or for body bytes is over.
            stop();
        }
        if (scanner.isInBody() && !bodyArrived(buf.readableBytes())) {
            buf.release();
            refuse(BODY_TOO_SLOW);
            return;
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
                    bodyTracked = false;
                    if (whole) {
                        return;
                    }
                    sliced = true;
                    segmentStart = pos;
                    if (holding && scanner.isBetweenRequests()) {
                        // Behind an upgrade request: not ours to parse until its answer came.
                        hold(buf.retainedSlice(pos, end - pos));
                        buf.release();
                        return;
                    }
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
            case BODY -> {
                long thisWait = waitStartedNanos == 0 ? 0 : System.nanoTime() - waitStartedNanos;
                waitStartedNanos = 0;
                // The gap clock, or the rate clock that came due first.
                refuse(thisWait >= bodyNanos ? BODY_TIMEOUT : BODY_TOO_SLOW);
            }
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
