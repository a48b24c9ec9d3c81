package dev.fulcrum.l7;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The request body parts an exchange holds: those read before a server was chosen
 * ({@code buffer_request}), and, while the body read so far fits in that size, copies of
 * everything sent, so a failed try can send the whole request again. Past that size the body
 * streams through and nothing is kept: the request is then no longer "in hand". Writes take
 * the channel's void promise: a failed write reaches the connection's exception handler, which
 * closes it (no promise allocated per write).
 */
final class RequestBodyBuffer {

    /** The body of a request that has none: holds nothing, ever (shared, so it must stay empty). */
    static final RequestBodyBuffer NONE = new RequestBodyBuffer(0);

    private final long keepLimit;
    /** Made on the first part: most requests have no body. */
    private ArrayDeque<HttpContent> parts;
    private long bytes;
    /** Every part received so far is held (not yet sent, or sent as a copy). */
    private boolean intact = true;

    /** @param keepLimit bytes of body kept for a retry; 0 keeps only a body-less request's end */
    RequestBodyBuffer(long keepLimit) {
        this.keepLimit = keepLimit;
    }

    /** Holds a part that arrived before a server connection was ready. */
    void hold(HttpContent part) {
        if (this == NONE) {
            throw new IllegalStateException("a request without a body has no body parts to hold");
        }
        if (parts == null) {
            parts = new ArrayDeque<>(2);
        }
        parts.add(part);
        bytes += part.content().readableBytes();
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return parts == null || parts.isEmpty();
    }

    /** Whether a new try could send everything received so far. */
    boolean isIntact() {
        return intact;
    }

    /**
     * Writes every held part to a server connection (no flush). While the body fits the keep
     * limit the parts stay held and copies go out; past it they go out themselves.
     */
    void writeTo(Channel upstream) {
        if (parts == null) {
            return;
        }
        boolean keep = intact && bytes <= keepLimit;
        if (keep) {
            for (HttpContent part : parts) {
                upstream.write(part.retainedDuplicate(), upstream.voidPromise());
            }
            return;
        }
        intact = false;
        for (HttpContent part; (part = parts.poll()) != null; ) {
            upstream.write(part, upstream.voidPromise());
        }
    }

    /** Sends a part that arrived while streaming: a copy while the body is kept, else the part itself. */
    void stream(HttpContent part, Channel upstream) {
        if (intact && bytes + part.content().readableBytes() <= keepLimit) {
            hold(part);
            upstream.write(part.retainedDuplicate(), upstream.voidPromise());
            return;
        }
        release();
        intact = false;
        upstream.write(part, upstream.voidPromise());
    }

    /** Nothing will be sent again (a response came, or the exchange is over). */
    void release() {
        if (parts == null) {
            return;
        }
        for (HttpContent part; (part = parts.poll()) != null; ) {
            ReferenceCountUtil.release(part);
        }
    }
}
