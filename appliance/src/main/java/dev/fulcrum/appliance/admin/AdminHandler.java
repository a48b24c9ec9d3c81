package dev.fulcrum.appliance.admin;

import io.netty.buffer.ByteBuf;
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
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the admin routes: 404 for an unknown path, 405 (with Allow) for a method the path does
 * not serve, 401 for a mutating call without the right bearer token (logged), 403 when no token
 * is configured at all. Responses go out in request order: the next request on a connection is
 * read only once the previous one is answered.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminRoutes routes;
    private final Supplier<BearerToken> token;

    AdminHandler(AdminRoutes routes, Supplier<BearerToken> token) {
        this.routes = routes;
        this.token = token;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!request.decoderResult().isSuccess()) {
            send(ctx, AdminResponses.plain(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "bad request"), false, head);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        AdminRoutes.Match match = routes.match(request.method(), path);
        if (match == null) {
            send(ctx, unmatched(ctx, request.method(), path), keepAlive, head);
            return;
        }
        String client = String.valueOf(ctx.channel().remoteAddress());
        if (match.route().mutating()) {
            FullHttpResponse refused = authorize(ctx, request, path, client);
            if (refused != null) {
                send(ctx, refused, keepAlive, head);
                return;
            }
        }
        if (match.route().endpoint() != null) {
            send(ctx, guarded(ctx, path, () -> match.route().endpoint().handle(request, ctx.alloc())), keepAlive, head);
            return;
        }
        AdminRequest adminRequest = new AdminRequest(match.vars(), request.content().toString(StandardCharsets.UTF_8),
                client);
        if (match.route().mutating()) {
            log.info("admin: {} {} from {}", request.method(), path, client);
        }
        try {
            match.route().action().handle(adminRequest).whenComplete((reply, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    log.error("admin: {} {} failed", request.method(), path, failure);
                    send(ctx, AdminResponses.plain(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "internal error serving " + path), keepAlive, head);
                } else {
                    send(ctx, AdminResponses.text(ctx.alloc(), reply.status(), reply.contentType(), reply.body()),
                            keepAlive, head);
                }
            }));
        } catch (RuntimeException e) {
            log.error("admin: {} {} failed", request.method(), path, e);
            send(ctx, AdminResponses.plain(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error serving " + path), keepAlive, head);
        }
    }

    private FullHttpResponse authorize(ChannelHandlerContext ctx, FullHttpRequest request, String path, String client) {
        BearerToken expected = token.get();
        if (expected == null) {
            log.warn("admin: {} {} from {} refused: no admin.token_file is configured", request.method(), path, client);
            return AdminResponses.text(ctx.alloc(), HttpResponseStatus.FORBIDDEN, AdminReply.JSON, Json.write(
                    java.util.Map.of("error", "mutating calls are disabled: configure admin.token_file")) + "\n");
        }
        if (!expected.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            boolean presented = request.headers().contains(HttpHeaderNames.AUTHORIZATION);
            log.warn("admin: {} {} from {} refused: {} bearer token", request.method(), path, client,
                    presented ? "wrong" : "no");
            FullHttpResponse refused = AdminResponses.text(ctx.alloc(), HttpResponseStatus.UNAUTHORIZED,
                    AdminReply.JSON, Json.write(java.util.Map.of("error", presented ? "wrong bearer token"
                            : "a bearer token is required (Authorization: Bearer <token>)")) + "\n");
            refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"fulcrum-admin\"");
            return refused;
        }
        return null;
    }

    private FullHttpResponse unmatched(ChannelHandlerContext ctx, HttpMethod method, String path) {
        Set<String> allowed = routes.methodsAt(path);
        if (allowed.isEmpty()) {
            return AdminResponses.plain(ctx.alloc(), HttpResponseStatus.NOT_FOUND,
                    "no admin endpoint at " + path + "; try one of " + routes.paths());
        }
        FullHttpResponse refused = AdminResponses.plain(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                method + " is not allowed on " + path);
        refused.headers().set(HttpHeaderNames.ALLOW, String.join(", ", allowed));
        return refused;
    }

    private static FullHttpResponse guarded(ChannelHandlerContext ctx, String path, Supplier<FullHttpResponse> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            log.error("admin endpoint {} failed", path, e);
            return AdminResponses.plain(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error serving " + path);
        }
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean head) {
        if (head) {
            ByteBuf content = response.content();
            content.clear();
        }
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response).addListener(done -> ctx.read());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
