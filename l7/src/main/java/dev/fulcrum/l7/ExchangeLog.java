package dev.fulcrum.l7;

import dev.fulcrum.l7.accesslog.AccessLog;
import dev.fulcrum.l7.accesslog.AccessRecord;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What the access log needs of the exchange in flight on one client connection, taken as
 * the client sent it (before the request is rewritten for the backend). Loop-confined and
 * reused; it only allocates the record handed to the writer, and only when logging is on.
 */
final class ExchangeLog {

    private static final String NONE = "-";

    private long epochMillis;
    private String method = NONE;
    private String uri = NONE;
    private String protocol = NONE;
    private String host;
    private String userAgent;
    private String referer;
    private long responseBytes;

    void begin(HttpRequest request) {
        epochMillis = System.currentTimeMillis();
        method = request.method().name();
        uri = request.uri();
        protocol = request.protocolVersion().text();
        HttpHeaders headers = request.headers();
        host = headers.get(HttpHeaderNames.HOST);
        userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        referer = headers.get(HttpHeaderNames.REFERER);
        responseBytes = 0;
    }

    /** A request refused before its head could be read whole: nothing of it is trusted. */
    void beginUnreadable() {
        epochMillis = System.currentTimeMillis();
        method = NONE;
        uri = NONE;
        protocol = NONE;
        host = null;
        userAgent = null;
        referer = null;
        responseBytes = 0;
    }

    void addResponseBytes(int bytes) {
        responseBytes += bytes;
    }

    /** Hands the finished exchange to the log, when this listener has one. */
    void end(AccessLog log, String client, int status, long durationNanos, RequestMeters answeredBy) {
        if (log == null) {
            return;
        }
        log.log(new AccessRecord(epochMillis, durationNanos, client, method, uri, protocol, host, status,
                responseBytes, userAgent, referer, answeredBy.listener, answeredBy.route, answeredBy.pool,
                answeredBy.server));
    }
}
