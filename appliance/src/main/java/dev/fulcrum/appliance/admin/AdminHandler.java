package dev.fulcrum.appliance.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dispatches admin requests by exact path; GET and HEAD only until the admin API arrives. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final Map<String, AdminEndpoint> endpoints;

    AdminHandler(Map<String, AdminEndpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = respond(ctx, request);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        if (HttpMethod.HEAD.equals(request.method())) {
            response.content().clear();
        }
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return AdminResponses.plain(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "bad request");
        }
        String path = new QueryStringDecoder(request.uri()).path();
        AdminEndpoint endpoint = endpoints.get(path);
        if (endpoint == null) {
            return AdminResponses.plain(ctx.alloc(), HttpResponseStatus.NOT_FOUND,
                    "no admin endpoint at " + path + "; try one of " + endpoints.keySet());
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse refused = AdminResponses.plain(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + path);
            refused.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return refused;
        }
        try {
            return endpoint.handle(request, ctx.alloc());
        } catch (RuntimeException e) {
            log.error("admin endpoint {} failed", path, e);
            return AdminResponses.plain(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error serving " + path);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
