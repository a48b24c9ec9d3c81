package dev.fulcrum.l7;

import dev.fulcrum.config.LocalReply;
import dev.fulcrum.l7.routing.RouteRequest;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** A route's own answer, a redirect or a fixed response, made into a response per request. */
final class LocalReplies {

    private final LocalReply reply;
    private final HttpResponseStatus status;

    LocalReplies(LocalReply reply) {
        this.reply = reply;
        this.status = HttpResponseStatus.valueOf(reply instanceof LocalReply.Redirect r ? r.status()
                : ((LocalReply.Respond) reply).status());
    }

    HttpResponseStatus status() {
        return status;
    }

    FullHttpResponse render(ByteBufAllocator alloc, RouteRequest request, String scheme, boolean close) {
        String body;
        String contentType;
        String location = null;
        if (reply instanceof LocalReply.Redirect redirect) {
            location = location(redirect, request, scheme);
            body = "redirecting to " + location + "\n";
            contentType = "text/plain; charset=utf-8";
        } else {
            LocalReply.Respond respond = (LocalReply.Respond) reply;
            body = respond.body();
            contentType = respond.contentType();
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(alloc, body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (location != null) {
            response.headers().set(HttpHeaderNames.LOCATION, location);
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * The request's own URL with the configured parts replaced. Without a host to name (an
     * HTTP/1.0 request without Host, and none configured) the location is relative.
     */
    static String location(LocalReply.Redirect redirect, RouteRequest request, String scheme) {
        String newScheme = redirect.scheme().orElse(scheme);
        String host = redirect.host().orElse(request.host());
        String path = redirect.path().orElse(request.path());
        String query = redirect.stripQuery() || request.rawQuery() == null ? "" : "?" + request.rawQuery();
        if (host.isEmpty()) {
            return path + query;
        }
        String port = redirect.port().map(p -> ":" + p)
                .orElse(newScheme.equals(scheme) ? requestPort(request) : "");
        String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return newScheme + "://" + authority + port + path + query;
    }

    /** ":PORT" as the client wrote it in Host, or "". */
    private static String requestPort(RouteRequest request) {
        String hostHeader = request.headers().get(HttpHeaderNames.HOST);
        if (hostHeader == null) {
            return "";
        }
        int colon = hostHeader.lastIndexOf(':');
        int bracket = hostHeader.lastIndexOf(']');
        return colon > bracket && colon < hostHeader.length() - 1 ? hostHeader.substring(colon) : "";
    }
}
