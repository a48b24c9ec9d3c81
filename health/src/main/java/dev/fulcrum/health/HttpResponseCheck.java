package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Promise;

/**
 * Sends the request of an {@link HttpProbe} once connected and judges the response: the
 * status first, then, if expected text is configured, the body until the text is seen, the
 * body ends or {@value HealthCheckConfig#MAX_BODY_SEARCHED} bytes were searched. Nothing is
 * aggregated: each piece of the body is searched and released.
 */
final class HttpResponseCheck extends SimpleChannelInboundHandler<HttpObject> {

    private static final int MAX_SEARCHED = HealthCheckConfig.MAX_BODY_SEARCHED;

    private final HttpProbe probe;
    private final String host;
    private final Promise<CheckResult> result;
    private BodyMatcher matcher;
    private boolean headReceived;
    private int searched;

    HttpResponseCheck(HttpProbe probe, String host, Promise<CheckResult> result) {
        this.probe = probe;
        this.host = host;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Over TLS, SslHandler holds this until the handshake is done.
        ctx.writeAndFlush(request()).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                fail("request not sent: " + Failures.describe(written.cause()));
            }
        });
        ctx.fireChannelActive();
    }

    private FullHttpRequest request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, probe.method(), probe.path(),
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, HttpProbe.USER_AGENT);
        return request;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (result.isDone()) {
            return;
        }
        if (message.decoderResult().isFailure()) {
            fail("invalid response: " + Failures.describe(message.decoderResult().cause()));
            return;
        }
        if (message instanceof HttpResponse response) {
            headReceived = true;
            int status = response.status().code();
            if (!probe.expects(status)) {
                fail("status " + status + ", expected " + probe.expectedStatus());
                return;
            }
            matcher = probe.bodyMatcher();
            if (matcher == null) {
                result.trySuccess(CheckResult.PASS);
                return;
            }
        }
        if (message instanceof HttpContent content && matcher != null) {
            search(content);
        }
    }

    private void search(HttpContent content) {
        ByteBuf body = content.content();
        int length = Math.min(body.readableBytes(), MAX_SEARCHED - searched);
        searched += length;
        if (matcher.feed(body, body.readerIndex(), length)) {
            result.trySuccess(CheckResult.PASS);
        } else if (searched >= MAX_SEARCHED) {
            fail(probe.bodyLacks() + " in its first " + (MAX_SEARCHED / 1024) + " KiB");
        } else if (content instanceof LastHttpContent) {
            fail(probe.bodyLacks());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(headReceived ? "connection closed during the body" : "connection closed before the response");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(Failures.describe(cause));
    }

    private void fail(String detail) {
        result.trySuccess(CheckResult.fail(detail));
    }
}
