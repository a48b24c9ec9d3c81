package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream from a client: the {@link Downstream} of its one exchange. It turns the
 * stream's frames into the request the exchange runs on (refusing malformed header blocks
 * with RST_STREAM PROTOCOL_ERROR, see {@link Http2RequestHead}) and the exchange's response
 * into frames. Backpressure: the stream channel reads (and so returns flow-control window to
 * the client) only when the exchange asks for more of the body; the exchange reads the
 * backend only while this stream is writable, which Netty ties to the client's window.
 *
 * <p>Runs on the connection's event loop; it has a client context to itself while it lasts, so streams of
 * one connection share nothing but the connection.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter implements Downstream {

    private static final Logger LOG = LoggerFactory.getLogger(Http2StreamHandler.class);
    private static final RequestRejection MISDIRECTED = new RequestRejection(HttpResponseStatus.MISDIRECTED_REQUEST,
            "misdirected request: this connection's certificate does not cover the host");

    private final Http2ClientSession session;
    private ChannelHandlerContext ctx;
    private ClientContext context;
    private Exchange exchange;
    private Deadline bodyDeadline;
    private Deadline clientWriteDeadline;
    private boolean headersSeen;
    /** The write of the response's last frame, while the request still comes (see {@link #finish}). */
    private ChannelFuture responseWritten;
    /** The response head, not written yet (see {@link #writeHead}). */
    private Http2Headers pendingHead;
    private boolean headRequest;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;
    private boolean closed;

    Http2StreamHandler(Http2ClientSession session) {
        this.session = session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.bodyDeadline = new Deadline(ctx.executor(), this::onBodyTimeout);
        this.clientWriteDeadline = new Deadline(ctx.executor(), this::onClientWriteTimeout);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context = session.takeContext();
        session.streamOpened();
        ctx.read();
    }

    // ---- from the client ---------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headers) {
                onHeaders(headers);
            } else if (msg instanceof Http2DataFrame data) {
                onData(data);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    private void onHeaders(Http2HeadersFrame frame) {
        if (!headersSeen) {
            headersSeen = true;
            onRequestHead(frame);
            return;
        }
        // A second block: the request's trailers (the codec makes sure it ends the stream).
        HttpHeaders trailers;
        try {
            trailers = Http2RequestHead.trailers(frame.headers());
        } catch (Http2RequestHead.Malformed malformed) {
            refuse(malformed);
            return;
        }
        requestEnded = true;
        bodyDeadline.disarm();
        if (exchange != null) {
            DefaultLastHttpContent last = new DefaultLastHttpContent(ctx.alloc().buffer(0), trailers);
            exchange.onRequestContent(last);
        }
    }

    private void onRequestHead(Http2HeadersFrame frame) {
        HttpRequest head;
        try {
            head = Http2RequestHead.toHttp1(frame.headers(), frame.isEndStream());
        } catch (Http2RequestHead.Malformed malformed) {
            refuse(malformed);
            return;
        }
        if (session.clientCertHeader != null) {
            ClientCertificateHeader.apply(head, session.clientCertHeader, session.channel().pipeline());
        }
        headRequest = HttpMethod.HEAD.equals(head.method());
        requestEnded = frame.isEndStream();
        if (session.misdirects(head.headers().get(HttpHeaderNames.HOST))) {
            // Coalesced onto a connection whose certificate does not cover this host: 421, to retry elsewhere.
            exchange = Exchange.refuse(context, this, MISDIRECTED);
            return;
        }
        exchange = Exchange.start(context, this, head);
        if (requestEnded || !HttpUtil.isTransferEncodingChunked(head) && HttpUtil.getContentLength(head, 0L) == 0) {
            // No body to pace: the stream's end (an empty DATA frame after content-length: 0) and
            // any reset are read as they come, never left queued on the stream.
            ctx.read();
        }
    }

    private void onData(Http2DataFrame frame) {
        ByteBuf data = frame.content();
        boolean last = frame.isEndStream();
        bodyDeadline.disarm();
        if (last) {
            requestEnded = true;
        }
        if (exchange == null) {
            data.release();
            return;
        }
        HttpContent content = last ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data);
        exchange.onRequestContent(content);
        if (last && !closed) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // The multiplexer hands resets on as events (they are not flow-controlled reads).
        if (evt instanceof Http2ResetFrame resetFrame) {
            onReset(resetFrame);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onReset(Http2ResetFrame frame) {
        LOG.debug("client reset stream {} with {}", ctx.channel(), frame.errorCode());
        reset = true;
        endExchange();
    }

    /** A malformed request (RFC 9113 8.1.1): a stream error, never forwarded. */
    private void refuse(Http2RequestHead.Malformed malformed) {
        LOG.debug("malformed HTTP/2 request from {}: {}", session.channel().remoteAddress(), malformed.getMessage());
        resetStream(Http2Error.PROTOCOL_ERROR);
        endExchange();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onDownstreamReadComplete();
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
        // 101 has no meaning in HTTP/2 (RFC 9113 8.6); the other 1xx go as a header block of their own.
        if (!closed && interim.status().code() != 101) {
            ctx.write(new DefaultHttp2HeadersFrame(Http2ResponseHead.headers(interim), false), ctx.voidPromise());
        }
        ReferenceCountUtil.release(interim);
    }

    @Override
    public void writeHead(HttpResponse head, boolean readsRequestBody) {
        if (closed) {
            ReferenceCountUtil.release(head);
            return;
        }
        String grpcStatus = head.headers().get(GrpcStatus.GRPC_STATUS);
        if (grpcStatus != null) {
            // A trailers-only gRPC answer (a backend's or ours): the call ends with this head.
            session.meters.grpcResponse(grpcStatus);
        }
        var headers = Http2ResponseHead.headers(head);
        if (head instanceof FullHttpResponse full) {
            ByteBuf body = full.content();
            if (!body.isReadable() || headRequest) {
                body.release();
                endResponseWith(new DefaultHttp2HeadersFrame(headers, true));
            } else {
                ctx.write(new DefaultHttp2HeadersFrame(headers, false), ctx.voidPromise());
                endResponseWith(new DefaultHttp2DataFrame(body, true));
            }
            return;
        }
        if (Http2ResponseHead.hasNoBody(head, headRequest)) {
            endResponseWith(new DefaultHttp2HeadersFrame(headers, true));
            return;
        }
        // Held until the first body part or the next flush: a response that turns out to be
        // its head alone (gRPC's trailers-only answer) must end the stream on that one block.
        pendingHead = headers;
    }

    /** The held head goes out as it is, ahead of whatever follows. */
    private void writePendingHead() {
        if (pendingHead != null) {
            ctx.write(new DefaultHttp2HeadersFrame(pendingHead, false), ctx.voidPromise());
            pendingHead = null;
        }
    }

    @Override
    public void writeContent(HttpContent content) {
        if (closed || responseEnded) {
            // A body the head said there is none of (HEAD, 204, 304), or the stream is gone.
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        HttpHeaders trailers = last ? ((LastHttpContent) content).trailingHeaders() : null;
        boolean hasTrailers = trailers != null && !trailers.isEmpty();
        if (hasTrailers) {
            String grpcStatus = trailers.get(GrpcStatus.GRPC_STATUS);
            if (grpcStatus != null) {
                session.meters.grpcResponse(grpcStatus);
            }
        }
        ByteBuf data = content.content();
        if (pendingHead != null && last && !hasTrailers && !data.isReadable()) {
            data.release();
            Http2Headers head = pendingHead;
            pendingHead = null;
            endResponseWith(new DefaultHttp2HeadersFrame(head, true));
            return;
        }
        writePendingHead();
        if (!last) {
            ctx.write(new DefaultHttp2DataFrame(data, false), ctx.voidPromise());
            return;
        }
        if (!hasTrailers) {
            endResponseWith(new DefaultHttp2DataFrame(data, true));
            return;
        }
        if (data.isReadable()) {
            ctx.write(new DefaultHttp2DataFrame(data, false), ctx.voidPromise());
        } else {
            data.release();
        }
        endResponseWith(new DefaultHttp2HeadersFrame(Http2ResponseHead.trailers(trailers), true));
    }

    private void endResponseWith(Object lastFrame) {
        responseEnded = true;
        if (requestEnded) {
            ctx.write(lastFrame, ctx.voidPromise());
        } else {
            // finish() resets the stream once this is out: a reset sent sooner would drop it unsent.
            responseWritten = ctx.write(lastFrame);
        }
    }

    @Override
    public void flush() {
        if (!closed) {
            writePendingHead();
        }
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void requestMore() {
        if (!closed && !requestEnded) {
            if (session.bodyNanos > 0) {
                bodyDeadline.arm(session.bodyNanos);
            }
            ctx.read();
        }
    }

    @Override
    public void finish() {
        exchange = null;
        bodyDeadline.disarm();
        if (!requestEnded && !closed) {
            // What the client sent meanwhile is taken (and dropped) before the reset.
            ctx.read();
        }
        if (!requestEnded && !closed) {
            // RFC 9113 8.1: the response is complete; the rest of the request is not wanted. The
            // reset waits until the response's last frame is written (flushes are consolidated).
            ChannelFuture written = responseWritten;
            if (written == null || written.isDone()) {
                resetStream(Http2Error.NO_ERROR);
            } else {
                written.addListener(f -> resetStream(Http2Error.NO_ERROR));
            }
        }
    }

    @Override
    public void abort() {
        abort(Http2Error.INTERNAL_ERROR.code());
    }

    @Override
    public void abort(long http2Error) {
        exchange = null;
        Http2Error error = Http2Error.valueOf(http2Error);
        resetStream(error != null ? error : Http2Error.INTERNAL_ERROR);
    }

    @Override
    public void openTunnel(HttpResponse switching, UpstreamConnection upstream) {
        // Never asked for: Upgrade is refused as connection-specific in an HTTP/2 request.
        ReferenceCountUtil.release(switching);
        upstream.channel().close();
        abort();
    }

    private void resetStream(Http2Error error) {
        pendingHead = null;
        if (closed || reset) {
            return;
        }
        reset = true;
        session.resetSent(((Http2StreamChannel) ctx.channel()).stream().id());
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(error));
        // A stream channel that is not reading neither hands over what it has queued nor sees its
        // own end: asked to read, it drops both (the exchange is over) and closes.
        ctx.read();
    }

    // ---- clocks ------------------------------------------------------------------------------

    private void onBodyTimeout() {
        if (exchange != null && !requestEnded && !closed) {
            LOG.debug("HTTP/2 request body stalled on {}", ctx.channel());
            requestEnded = true;
            exchange.onRequestRejected(RequestStreamGuard.BODY_TIMEOUT);
            resetStream(Http2Error.CANCEL);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            clientWriteDeadline.disarm();
            if (exchange != null) {
                exchange.onDownstreamWritable();
            }
        } else {
            session.meters.flowControlStalls.increment();
            if (session.clientWriteNanos > 0) {
                clientWriteDeadline.arm(session.clientWriteNanos);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The client gave this stream no window for timeouts.client_write. */
    private void onClientWriteTimeout() {
        if (!ctx.channel().isWritable() && !closed) {
            LOG.debug("HTTP/2 client read nothing of stream {} for client_write: reset", ctx.channel());
            Exchange running = exchange;
            exchange = null;
            if (running != null) {
                running.onDownstreamClosed();
            }
            resetStream(Http2Error.CANCEL);
        }
    }

    // ---- end ---------------------------------------------------------------------------------

    private void endExchange() {
        Exchange running = exchange;
        exchange = null;
        bodyDeadline.cancel();
        clientWriteDeadline.cancel();
        if (running != null) {
            running.onDownstreamClosed();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        endExchange();
        if (context != null) {
            session.returnContext(context);
            context = null;
            session.streamClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The multiplexer hands a stream's handler the cause of a stream error, then closes it.
        if (cause instanceof Http2Exception streamError) {
            // A stream error the codec found (content-length, flow control, a frame in the wrong
            // state, missing pseudo-headers): it leaves the reset to the stream's handler.
            LOG.debug("HTTP/2 stream {}: {}", ctx.channel(), cause.toString());
            Http2Error error = streamError.error();
            if (error == Http2Error.PROTOCOL_ERROR && headersSeen
                    && ((Http2StreamChannel) ctx.channel()).stream().state() == Http2Stream.State.HALF_CLOSED_REMOTE) {
                // Another header block after the client ended the stream: RFC 9113 5.1 says
                // STREAM_CLOSED, Netty PROTOCOL_ERROR. (A malformed first block stays PROTOCOL_ERROR.)
                error = Http2Error.STREAM_CLOSED;
            }
            resetStream(error);
            endExchange();
            return;
        }
        if (cause instanceof IOException || !ctx.channel().isActive() || !session.channel().isActive()) {
            // A write that failed because the client went (a closed connection, a stream it reset).
            LOG.debug("HTTP/2 stream {}: {}", ctx.channel(), cause.toString());
            endExchange();
            return;
        }
        onInternalError(cause);
    }

    private void onInternalError(Throwable error) {
        if (exchange != null && !exchange.isDone()) {
            exchange.onInternalError(error);
        } else {
            LOG.error("internal error on HTTP/2 stream {}", ctx.channel(), error);
        }
        exchange = null;
        resetStream(Http2Error.INTERNAL_ERROR);
    }
}
