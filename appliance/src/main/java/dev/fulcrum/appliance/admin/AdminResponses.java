package dev.fulcrum.appliance.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Builds the small, complete responses the admin listener sends. */
public final class AdminResponses {

    private AdminResponses() {
    }

    public static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status,
                                        String contentType, CharSequence body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(alloc, body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    public static FullHttpResponse plain(ByteBufAllocator alloc, HttpResponseStatus status, String message) {
        return text(alloc, status, "text/plain; charset=utf-8", message + "\n");
    }
}
