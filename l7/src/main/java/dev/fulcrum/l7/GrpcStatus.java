package dev.fulcrum.l7;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * gRPC's view of what the proxy answers itself. A gRPC client reads a call's outcome from
 * {@code grpc-status}, not from the HTTP status, so a local answer to a gRPC request is a
 * trailers-only response (HTTP 200, one header block ending the stream) with the status code
 * and a message: UNAVAILABLE (14) when no server can take the call, DEADLINE_EXCEEDED (4) for
 * timeouts, RESOURCE_EXHAUSTED (8) for full queues and limits, UNIMPLEMENTED (12) with no
 * route, otherwise the mapping of the gRPC specification ("HTTP to gRPC Status Code Mapping").
 */
final class GrpcStatus {

    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;
    /** The highest status the specification defines. */
    static final int MAX = 16;

    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GrpcStatus() {
    }

    /** A gRPC request: its content-type is application/grpc or application/grpc+something. */
    static boolean isGrpc(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !AsciiString.regionMatches(type, true, 0, APPLICATION_GRPC, 0, APPLICATION_GRPC.length())) {
            return false;
        }
        return type.length() == APPLICATION_GRPC.length() || type.charAt(APPLICATION_GRPC.length()) == '+'
                || type.charAt(APPLICATION_GRPC.length()) == ';';
    }

    /** The status a local answer of this HTTP status means to a gRPC client. */
    static int of(HttpResponseStatus status) {
        return switch (status.code()) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 408, 504 -> DEADLINE_EXCEEDED;
            case 413, 429, 431 -> RESOURCE_EXHAUSTED;
            case 500 -> INTERNAL;
            case 502, 503 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /** The trailers-only answer: status 200, no body, {@code grpc-status} and {@code grpc-message}. */
    static FullHttpResponse trailersOnly(ByteBufAllocator alloc, int grpcStatus, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                alloc.buffer(0));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .set(GRPC_STATUS, Integer.toString(grpcStatus))
                .set(GRPC_MESSAGE, percentEncoded(message));
        return response;
    }

    /** grpc-message is percent-encoded UTF-8: bytes outside printable ASCII, and '%' itself. */
    static String percentEncoded(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** {@code grpc-timeout} (RFC-less: 1-8 digits and a unit H, M, S, m, u, n) in nanoseconds; -1 when absent or invalid. */
    static long timeoutNanos(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long amount = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            amount = amount * 10 + (c - '0');
        }
        long unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> 3_600_000_000_000L;
            case 'M' -> 60_000_000_000L;
            case 'S' -> 1_000_000_000L;
            case 'm' -> 1_000_000L;
            case 'u' -> 1_000L;
            case 'n' -> 1L;
            default -> -1;
        };
        if (unit < 0) {
            return -1;
        }
        return amount > Long.MAX_VALUE / unit ? Long.MAX_VALUE : amount * unit;
    }
}
