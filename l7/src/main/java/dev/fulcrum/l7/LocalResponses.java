package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Responses the proxy writes itself. Each has a short plain-text body saying whose fault it
 * was, so a client, a log and a curl session all tell an upstream problem from a bad request.
 */
final class LocalResponses {

    static final String NO_ROUTE = "no route for this request";
    static final String UPSTREAM_CONNECT_FAILED = "upstream connect failed";
    static final String UPSTREAM_CONNECT_TIMEOUT = "upstream connect timeout";
    static final String UPSTREAM_RESPONSE_TIMEOUT = "upstream response timeout";
    static final String BODY_TOO_LARGE = "request body too large";
    static final String UPSTREAM_CLOSED = "upstream closed the connection before responding";
    static final String UPSTREAM_INVALID = "upstream sent an invalid response";
    static final String UPSTREAM_REFUSED = "upstream refused the request unprocessed";
    static final String UPSTREAM_IDLE_TIMEOUT = "upstream idle timeout";
    static final String CLIENT_DEADLINE = "the call's deadline (grpc-timeout) passed before the upstream answered";
    static final String UPSTREAM_TRUNCATED = "upstream response cut short";
    static final String INTERNAL_ERROR = "internal error";
    static final String LISTENER_GONE = "listener is not in the running configuration";

    private LocalResponses() {
    }

    static String noServer(String pool) {
        return "no server available in pool " + pool;
    }

    static String queueFull(String pool) {
        return "every server of pool " + pool + " is at its connection limit and its queue is full";
    }

    static String queueTimeout(String pool) {
        return "no server of pool " + pool + " had room within the queue timeout";
    }

    static String grpcToHttp1(String pool) {
        return "pool " + pool + " speaks HTTP/1.1 and cannot take a gRPC call, which needs HTTP/2"
                + " (protocol: http2 or auto)";
    }

    static String routeBusy(String route) {
        return "route " + route + " is at its limit of concurrent requests";
    }

    static FullHttpResponse create(ByteBufAllocator alloc, HttpResponseStatus status, String message, boolean close) {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
