package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1 client connection: the {@link Downstream} of its exchanges, one at a time. What it
 * keeps is HTTP/1's own: pipelining (a request that arrives before the response ahead of it is
 * over waits in {@link #inbox}, at most one socket read's worth, as reading stops), keep-alive
 * and HTTP/1.0's rules, the client write timeout, and the switch to a tunnel after an upgrade.
 * Everything else (routing, balancing, rewriting, retries, metrics) is the exchange's.
 *
 * <p>While the backend answers, the client stays asked for bytes ({@link RequestStreamGuard#readAhead}),
 * so the epoll interest is not dropped and set again around every exchange.
 */
final class Http1ConnectionHandler extends ChannelInboundHandlerAdapter implements Downstream {

    private static final Logger LOG = LoggerFactory.getLogger(Http1ConnectionHandler.class);

    private final String listener;
    private final String scheme;
    private final Supplier<L7Snapshot> snapshots;
    private final RequestStreamGuard streamGuard;
    private final long clientWriteNanos;
    private final long tunnelIdleNanos;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>(4);

    private ChannelHandlerContext ctx;
    private ClientContext context;
    private Deadline clientWriteDeadline;

    /** The exchange of the request being answered; null between requests. */
    private Exchange exchange;
    /** The request being answered is a HEAD: its response has no body whatever its headers say. */
    private boolean headRequest;
    private boolean requestEnded;
    private boolean bodyExpected;
    private boolean keepAlive;
    private boolean http10;
    private boolean upgradeAsked;
    /** The response is written whole; waiting only for the end of a request that has no body. */
    private boolean finishPending;
    private boolean closeAfterResponse;
    private boolean closing;
    private boolean rejected;
    private boolean stopping;
    private boolean draining;

    Http1ConnectionHandler(String listener, String scheme, Supplier<L7Snapshot> snapshots,
                           RequestStreamGuard streamGuard, long clientWriteNanos, long tunnelIdleNanos) {
        this.listener = listener;
        this.scheme = scheme;
        this.snapshots = snapshots;
        this.streamGuard = streamGuard;
        this.clientWriteNanos = clientWriteNanos;
        this.tunnelIdleNanos = tunnelIdleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clientWriteDeadline = new Deadline(ctx.executor(), this::onClientWriteTimeout);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context = new ClientContext(listener, scheme, snapshots, ctx.channel().remoteAddress(),
                ctx.channel().localAddress(), ctx.executor());
        ctx.read();
        ctx.fireChannelActive();
    }

    // ---- from the client ---------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inbox.isEmpty() && accepts(msg)) {
            process(msg);
        } else {
            inbox.add(msg);
        }
        drain();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onDownstreamReadComplete();
        }
        readIfReady();
    }

    /** Whether a message can be handled now; otherwise it waits in the inbox. */
    private boolean accepts(Object msg) {
        if (exchange == null) {
            return true;
        }
        return !requestEnded && !(msg instanceof HttpRequest);
    }

    private void process(Object msg) {
        try {
            if (msg instanceof RequestRejection rejection) {
                onRejection(rejection);
            } else if (msg instanceof HttpRequest head) {
                onRequestHead(head);
            } else if (msg instanceof HttpContent content) {
                onRequestContent(content);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            Object msg;
            while (!closing && (msg = inbox.peek()) != null && accepts(msg)) {
                inbox.poll();
                process(msg);
            }
        } finally {
            draining = false;
        }
    }

    private void readIfReady() {
        if (closing || !inbox.isEmpty()) {
            return;
        }
        if (exchange == null || finishPending) {
            ctx.read();
        } else if (requestEnded && !upgradeAsked) {
            // Waiting on the backend: the read interest stays, without the client clocks.
            streamGuard.readAhead();
        }
        // Otherwise the exchange asks for the body as it can take it (requestMore).
    }

    private void onRequestHead(HttpRequest head) {
        headRequest = HttpMethod.HEAD.equals(head.method());
        requestEnded = false;
        finishPending = false;
        closeAfterResponse = false;
        bodyExpected = HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
        keepAlive = HttpUtil.isKeepAlive(head) && !stopping;
        http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        upgradeAsked = UpgradeTunnel.requestedUpgrade(head) != null;
        if (upgradeAsked) {
            // Bytes after the upgrade request belong to the new protocol, or, if the backend
            // declines, to the next request: held raw until the answer says which.
            streamGuard.holdAfterMessage();
        }
        exchange = Exchange.start(context, this, head);
    }

    private void onRequestContent(HttpContent content) {
        if (exchange == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestEnded = true;
        }
        exchange.onRequestContent(content);
        if (last && finishPending) {
            finishPending = false;
            endOfExchange();
        }
    }

    private void onRejection(RequestRejection rejection) {
        // The rest of what the client sends is unread: the connection closes after the answer.
        closeAfterResponse = true;
        rejected = true;
        if (exchange == null) {
            headRequest = false;
            requestEnded = true;
            keepAlive = false;
            exchange = Exchange.refuse(context, this, rejection);
            return;
        }
        requestEnded = true;
        exchange.onRequestRejected(rejection);
        if (exchange != null && exchange.isDone() && !closing) {
            // It was past its response already: nothing more can be said on this connection.
            closeNow();
        }
    }

    // ---- Downstream --------------------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void writeInterim(HttpResponse interim) {
        if (http10) {
            // RFC 9110 15.2: no 1xx to an HTTP/1.0 client.
            ReferenceCountUtil.release(interim);
            return;
        }
        interim.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.write(interim, ctx.voidPromise());
        ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
    }

    @Override
    public void writeHead(HttpResponse head, boolean readsRequestBody) {
        if (!readsRequestBody && bodyExpected && !requestEnded) {
            closeAfterResponse = true;
        }
        boolean framed = ResponseFraming.isFramed(head, headRequest);
        closeAfterResponse = ResponseFraming.fitToClient(head, framed, http10, keepAlive, closeAfterResponse);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.write(head, ctx.voidPromise());
    }

    @Override
    public void writeContent(HttpContent content) {
        // A failed write reaches exceptionCaught, which closes; no promise is made per write.
        ctx.write(content, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void requestMore() {
        if (!closing && inbox.isEmpty()) {
            ctx.read();
        }
    }

    @Override
    public void finish() {
        if (closing) {
            return;
        }
        if (!requestEnded && !bodyExpected && !closeAfterResponse && keepAlive) {
            // The end of a body-less request follows its head at once.
            finishPending = true;
            return;
        }
        endOfExchange();
    }

    /** The response is out and the request read: the next request, or the end of the connection. */
    private void endOfExchange() {
        boolean unread = rejected || bodyExpected && !requestEnded || !inbox.isEmpty();
        if (closeAfterResponse || !keepAlive || !requestEnded) {
            closeAfterLastWrite(unread);
            return;
        }
        exchange = null;
        if (upgradeAsked) {
            // Declined: what was held is the next request.
            upgradeAsked = false;
            streamGuard.releaseHeld();
        }
        drain();
        readIfReady();
    }

    @Override
    public void abort() {
        // No final chunk, no further response: a closed connection is how HTTP/1 says "cut short".
        closeNow();
    }

    @Override
    public void openTunnel(HttpResponse switching, UpstreamConnection upstream) {
        switching.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.writeAndFlush(switching);
        ByteBuf held = streamGuard.takeHeld();
        exchange = null;
        closing = true;
        UpgradeTunnel.open(ctx.channel(), upstream.channel(), held, tunnelIdleNanos);
    }

    // ---- connection --------------------------------------------------------------------------

    private void closeAfterLastWrite(boolean requestBytesUnread) {
        closing = true;
        releaseInbox();
        // Done once everything written before it is: the response is out whole before the close.
        ChannelFuture last = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        if (requestBytesUnread) {
            // A close with unread bytes would reset the connection and could destroy the answer.
            LingeringClose.after(last);
        } else {
            last.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeNow() {
        closing = true;
        releaseInbox();
        ctx.flush();
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            clientWriteDeadline.disarm();
            if (exchange != null) {
                exchange.onDownstreamWritable();
            }
        } else if (clientWriteNanos > 0) {
            clientWriteDeadline.arm(clientWriteNanos);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The client read nothing of the response for timeouts.client_write. */
    private void onClientWriteTimeout() {
        if (!ctx.channel().isWritable()) {
            LOG.debug("client {} read nothing for the listener's client_write timeout: closing", ctx.channel());
            closeNow();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ListenerStopping.EVENT) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        stopping = true;
        // The exchange in flight finishes (with Connection: close, said at the response head if it is still to come).
        keepAlive = false;
        if (exchange == null && inbox.isEmpty()) {
            closeNow();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        goneOrReplaced();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Replaced by a tunnel relay or a lingering close, or the channel is gone.
        goneOrReplaced();
    }

    private void goneOrReplaced() {
        closing = true;
        clientWriteDeadline.cancel();
        releaseInbox();
        if (exchange != null) {
            Exchange last = exchange;
            exchange = null;
            last.onDownstreamClosed();
        }
        if (context != null) {
            context.close();
        }
    }

    private void releaseInbox() {
        Object msg;
        while ((msg = inbox.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        onInternalError(cause);
    }

    /** A bug of ours: answered 500 if nothing was sent yet (the exchange logs and counts it), then closed. */
    private void onInternalError(Throwable error) {
        closeAfterResponse = true;
        keepAlive = false;
        if (exchange != null && !exchange.isDone()) {
            exchange.onInternalError(error);
        } else {
            LOG.error("internal error on client connection {}", ctx.channel(), error);
        }
        if (!closing) {
            closeAfterLastWrite(true);
        }
    }
}
