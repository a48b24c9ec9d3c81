package dev.fulcrum.health;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

/**
 * The call of a {@link GrpcProbe}, on the connection's {@code Http2FrameCodec}: sends the request
 * once the server's SETTINGS arrived (so a server that does not speak HTTP/2 is named as such),
 * reads the one response message into a buffer of at most {@value GrpcWire#MAX_MESSAGE} bytes
 * and judges the trailers. Every frame read is released here; none goes further.
 */
final class GrpcHealthCall extends Http2ChannelDuplexHandler {

    private static final AsciiString GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString POST = AsciiString.cached("POST");
    private static final AsciiString PATH = AsciiString.cached(GrpcWire.CHECK_PATH);
    /** How Netty reports a first frame that is not SETTINGS: the hex of its first 5 bytes, here "HTTP/". */
    private static final String HTTP1_ANSWER = "485454502f";

    private final String authority;
    private final boolean tls;
    private final String service;
    private final String timeout;
    private final Promise<CheckResult> result;
    private Http2FrameStream stream;
    private boolean settingsReceived;
    private boolean headersReceived;
    /** The response message as read so far: prefix and body; null until its first byte. */
    private ByteBuf message;

    GrpcHealthCall(String authority, boolean tls, String service, String timeout, Promise<CheckResult> result) {
        this.authority = authority;
        this.tls = tls;
        this.service = service;
        this.timeout = timeout;
        this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object frame) {
        try {
            if (!result.isDone()) {
                read(ctx, frame);
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void read(ChannelHandlerContext ctx, Object frame) {
        if (frame instanceof Http2SettingsFrame && !settingsReceived) {
            settingsReceived = true;
            send(ctx);
        } else if (frame instanceof Http2HeadersFrame headers && isOurs(headers.stream())) {
            headers(headers.headers(), headers.isEndStream());
        } else if (frame instanceof Http2DataFrame data && isOurs(data.stream())) {
            data(ctx, data);
        } else if (frame instanceof Http2ResetFrame reset && isOurs(reset.stream())) {
            fail("stream reset by the server: " + errorName(reset.errorCode()));
        } else if (frame instanceof Http2GoAwayFrame goAway) {
            goAway(goAway);
        }
    }

    private boolean isOurs(Http2FrameStream frameStream) {
        return stream != null && frameStream != null && frameStream.id() == stream.id();
    }

    private void send(ChannelHandlerContext ctx) {
        stream = newStream();
        Http2Headers headers = new DefaultHttp2Headers()
                .method(POST)
                .scheme(tls ? "https" : "http")
                .path(PATH)
                .authority(authority)
                .set(HttpHeaderNames.CONTENT_TYPE, GRPC)
                .set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS)
                .set(GRPC_TIMEOUT, timeout)
                .set(HttpHeaderNames.USER_AGENT, HttpProbe.USER_AGENT);
        ChannelFutureListener sent = written -> {
            if (!written.isSuccess()) {
                fail("request not sent: " + Failures.describe(written.cause()));
            }
        };
        ctx.write(new DefaultHttp2HeadersFrame(headers).stream(stream)).addListener(sent);
        ctx.writeAndFlush(new DefaultHttp2DataFrame(GrpcWire.request(ctx.alloc(), service), true).stream(stream))
                .addListener(sent);
    }

    private void headers(Http2Headers headers, boolean endStream) {
        if (headersReceived) {
            trailers(headers);
            return;
        }
        CharSequence status = headers.status();
        if (status != null && status.length() == 3 && status.charAt(0) == '1' && !endStream) {
            return; // informational: the answer follows
        }
        headersReceived = true;
        if (status == null) {
            fail("response without :status");
        } else if (!AsciiString.contentEquals(status, "200")) {
            fail("http status " + Failures.tidy(status.toString()));
        } else if (endStream) {
            trailers(headers); // trailers-only: the status comes with the headers
        } else {
            CharSequence type = headers.get(HttpHeaderNames.CONTENT_TYPE);
            if (type == null || !AsciiString.regionMatches(type, true, 0, GRPC, 0, GRPC.length())) {
                fail("content-type " + (type == null ? "missing" : Failures.tidy(type.toString()))
                        + ", expected application/grpc");
            }
        }
    }

    private void data(ChannelHandlerContext ctx, Http2DataFrame data) {
        ByteBuf content = data.content();
        if (!headersReceived) {
            fail("response data before the response headers");
            return;
        }
        if (content.isReadable()) {
            if (message == null) {
                message = ctx.alloc().buffer(Math.min(content.readableBytes(), GrpcWire.PREFIX + 256));
            }
            if (!append(content)) {
                return;
            }
        }
        if (data.isEndStream()) {
            fail("response ended without trailers");
        } else if (data.initialFlowControlledBytes() > 0) {
            // The frame is read: let the server send more, or a message near 64 KiB would stall.
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(data.initialFlowControlledBytes()).stream(stream));
        }
    }

    /** Adds data to the message; false when the check failed on it. */
    private boolean append(ByteBuf content) {
        if (message.readableBytes() < GrpcWire.PREFIX) {
            message.writeBytes(content, Math.min(content.readableBytes(), GrpcWire.PREFIX - message.readableBytes()));
            if (message.readableBytes() < GrpcWire.PREFIX) {
                return true;
            }
            if (message.getByte(0) != 0) {
                fail("compressed response message, though no compression was offered");
                return false;
            }
            long length = message.getUnsignedInt(1);
            if (length > GrpcWire.MAX_MESSAGE) {
                fail("response message of " + length + " bytes, more than " + GrpcWire.MAX_MESSAGE / 1024 + " KiB");
                return false;
            }
        }
        int missing = GrpcWire.PREFIX + (int) message.getUnsignedInt(1) - message.readableBytes();
        if (content.readableBytes() > missing) {
            fail("more than one response message");
            return false;
        }
        message.writeBytes(content);
        return true;
    }

    private void trailers(Http2Headers trailers) {
        CharSequence code = trailers.get(GRPC_STATUS);
        int status = code == null ? -1 : parseStatus(code);
        if (code == null) {
            fail("no grpc-status in the trailers");
        } else if (status < 0) {
            fail("invalid grpc-status " + Failures.tidy(code.toString()));
        } else if (status != 0) {
            CharSequence text = trailers.get(GRPC_MESSAGE);
            String said = text == null ? "" : Failures.tidy(GrpcWire.decodeMessage(text));
            fail("grpc status " + GrpcWire.statusCode(status) + (said.isEmpty() ? "" : ": " + said));
        } else {
            judge();
        }
    }

    private static int parseStatus(CharSequence code) {
        if (code.length() == 0 || code.length() > 9) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < code.length(); i++) {
            int digit = Character.digit(code.charAt(i), 10);
            if (digit < 0) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** grpc-status 0: the message decides. */
    private void judge() {
        if (message == null || message.readableBytes() < GrpcWire.PREFIX
                || message.readableBytes() < GrpcWire.PREFIX + message.getUnsignedInt(1)) {
            fail(message == null ? "no response message" : "response message cut short");
            return;
        }
        int status;
        try {
            status = GrpcWire.servingStatus(message.skipBytes(GrpcWire.PREFIX));
        } catch (GrpcWire.MalformedMessage e) {
            fail("malformed HealthCheckResponse: " + e.getMessage());
            return;
        }
        if (status == GrpcWire.SERVING) {
            result.trySuccess(CheckResult.PASS);
        } else {
            fail("serving status " + GrpcWire.servingStatusName(status));
        }
    }

    private void goAway(Http2GoAwayFrame goAway) {
        // A graceful GOAWAY that still covers the call lets it finish.
        if (goAway.errorCode() != Http2Error.NO_ERROR.code() || stream == null
                || goAway.lastStreamId() < stream.id()) {
            String debug = goAway.content().toString(US_ASCII);
            fail("the server sent GOAWAY " + errorName(goAway.errorCode())
                    + (debug.isBlank() ? "" : ": " + Failures.tidy(debug)));
        }
    }

    private static String errorName(long code) {
        Http2Error error = Http2Error.valueOf(code);
        return error == null ? "error " + code : error.name();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
            String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
            if (!"h2".equals(protocol)) {
                fail("the server did not agree to HTTP/2 by ALPN ("
                        + (protocol == null ? "it chose no protocol" : "it chose " + protocol) + ")");
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!settingsReceived && cause instanceof Http2Exception) {
            String said = String.valueOf(cause.getMessage());
            fail("the server does not speak HTTP/2" + (said.contains(HTTP1_ANSWER) ? ": it answered in HTTP/1"
                    : " (" + Failures.tidy(said) + ")"));
        } else if (cause instanceof Http2Exception || cause instanceof Http2FrameStreamException) {
            fail("HTTP/2 error: " + Failures.tidy(String.valueOf(cause.getMessage())));
        } else {
            fail(Failures.describe(cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(!settingsReceived ? "connection closed before the server's HTTP/2 SETTINGS"
                : !headersReceived ? "connection closed before the response" : "connection closed before trailers");
        release();
        ctx.fireChannelInactive();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (message != null) {
            message.release();
            message = null;
        }
    }

    private void fail(String detail) {
        result.trySuccess(CheckResult.fail(detail));
    }
}
