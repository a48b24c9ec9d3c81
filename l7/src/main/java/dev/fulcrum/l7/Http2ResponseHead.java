package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * A response head (from an HTTP/1 backend, or the proxy's own) as an HTTP/2 header block:
 * {@code :status} first, names in lowercase, connection-specific fields (Connection and the
 * fields it names, Keep-Alive, Transfer-Encoding, Upgrade, Proxy-Connection) dropped, as
 * RFC 9113 8.2.2 requires. Netty's conversion does exactly that.
 */
final class Http2ResponseHead {

    private Http2ResponseHead() {
    }

    static Http2Headers headers(HttpResponse response) {
        return HttpConversionUtil.toHttp2Headers(response, false);
    }

    static Http2Headers trailers(HttpHeaders trailers) {
        Http2Headers block = new DefaultHttp2Headers(false, trailers.size());
        HttpConversionUtil.toHttp2Headers(trailers, block);
        return block;
    }

    /** A response that has no body whatever follows its head: it ends the stream at once. */
    static boolean hasNoBody(HttpResponse response, boolean headRequest) {
        int code = response.status().code();
        if (headRequest || code == HttpResponseStatus.NO_CONTENT.code()
                || code == HttpResponseStatus.NOT_MODIFIED.code()) {
            return true;
        }
        String length = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return "0".equals(length);
    }
}
