package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Tells the backend who really asked: X-Forwarded-For gets the client address appended (an
 * existing chain is kept, as every proxy on the way appends), X-Forwarded-Proto and
 * X-Forwarded-Host are set to what this listener saw.
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    private ForwardedHeaders() {
    }

    /**
     * @param host the host the client asked for, as written (with port), or null
     */
    static void add(HttpHeaders headers, String clientIp, String scheme, String host) {
        List<String> chain = headers.getAll(X_FORWARDED_FOR);
        if (chain.isEmpty()) {
            headers.set(X_FORWARDED_FOR, clientIp);
        } else {
            headers.set(X_FORWARDED_FOR, String.join(", ", chain) + ", " + clientIp);
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
    }

}
