package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1),
 * so they never cross the proxy: Connection and every header it names, Keep-Alive,
 * Proxy-Connection, TE, Trailer, Upgrade (no tunnelling) and HTTP2-Settings (it travels with
 * an h2c Upgrade). Transfer-Encoding and Content-Length stay: they frame the body and the
 * codec re-encodes it on the other side.
 */
final class HopByHopHeaders {

    // Netty deprecates its own constant for this (RFC 9113 bans it in HTTP/2); it still crosses HTTP/1.1 proxies.
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    private HopByHopHeaders() {
    }

    static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            for (String value : values) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !isFraming(name)) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(KEEP_ALIVE)
                .remove(PROXY_CONNECTION)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HTTP2_SETTINGS);
    }

    private static boolean isFraming(String name) {
        return HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
    }
}
