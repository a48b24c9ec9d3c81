package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Everything that can end an exchange early, classified once (Pingora's {@code fail_to_proxy}):
 * each constant names where it came from (the connect, a pooled connection, the response, the
 * proxy itself) and carries the status a client gets when nothing was sent yet, the reason written
 * in the body and the log, whether the server is reported to passive health, and when the
 * request may be tried again. {@link #mayRetry} is the one place that decides retries.
 */
enum Failure {

    /** The connect failed: the server saw nothing. */
    CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_CONNECT_FAILED, true,
            Retry.UNPROCESSED, GrpcStatus.UNAVAILABLE),
    /** The connect timed out (504, as nginx says; HAProxy and Envoy say 503). */
    CONNECT_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.UPSTREAM_CONNECT_TIMEOUT, true,
            Retry.UNPROCESSED, GrpcStatus.UNAVAILABLE),
    /**
     * A pooled connection that the server had closed meanwhile failed at once, nothing of a
     * response received: the server never saw the request. Not the server's fault either.
     */
    STALE_CONNECTION(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_CLOSED, false,
            Retry.FRESH_CONNECTION, GrpcStatus.UNAVAILABLE),
    /**
     * An HTTP/2 server said it did not process the stream (REFUSED_STREAM, or the stream was
     * above its GOAWAY's last stream id): another server or connection may take it.
     */
    REFUSED_STREAM(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_REFUSED, false, Retry.UNPROCESSED,
            GrpcStatus.UNAVAILABLE),
    /** The connection closed or reset before any response byte: the request may have been processed. */
    CLOSED_BEFORE_RESPONSE(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_CLOSED, true,
            Retry.IDEMPOTENT, GrpcStatus.UNAVAILABLE),
    /** A response head that does not parse, or a 101 nobody asked for. */
    INVALID_RESPONSE(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_INVALID, true,
            Retry.NEVER, GrpcStatus.UNAVAILABLE),
    /** No response head within the route's {@code timeouts.response} after the request went out. */
    RESPONSE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.UPSTREAM_RESPONSE_TIMEOUT,
            true, Retry.NEVER, GrpcStatus.DEADLINE_EXCEEDED),
    /** Silence from the server longer than the route's {@code timeouts.response_idle}. */
    RESPONSE_IDLE(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.UPSTREAM_IDLE_TIMEOUT, true,
            Retry.NEVER, GrpcStatus.DEADLINE_EXCEEDED),
    /** The response body broke off: closed early, or a malformed chunk. */
    TRUNCATED_RESPONSE(HttpResponseStatus.BAD_GATEWAY, LocalResponses.UPSTREAM_TRUNCATED, true,
            Retry.NEVER, GrpcStatus.UNAVAILABLE),
    /**
     * A gRPC client's own deadline ({@code grpc-timeout}, shorter than the route's response
     * timeout) passed without a response head: the call is over, but the server is not to blame.
     */
    CLIENT_DEADLINE(HttpResponseStatus.GATEWAY_TIMEOUT, LocalResponses.CLIENT_DEADLINE, false, Retry.NEVER,
            GrpcStatus.DEADLINE_EXCEEDED),
    /** A bug of ours: 500 when nothing was sent yet. */
    INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR, LocalResponses.INTERNAL_ERROR, false,
            Retry.NEVER, GrpcStatus.INTERNAL);

    /** When a failed try may go again. */
    enum Retry {
        /** Never. */
        NEVER,
        /** The server cannot have processed it: always, with the retry budget, whole request in hand. */
        UNPROCESSED,
        /** Once more on a new connection, any method, outside the retry budget. */
        FRESH_CONNECTION,
        /** Only idempotent methods, whole request in hand, with the retry budget. */
        IDEMPOTENT
    }

    final HttpResponseStatus status;
    final String reason;
    final boolean reportsHealth;
    final Retry retry;
    /** What a gRPC client is told (a trailers-only answer), when nothing was sent yet. */
    final int grpcStatus;

    Failure(HttpResponseStatus status, String reason, boolean reportsHealth, Retry retry, int grpcStatus) {
        this.grpcStatus = grpcStatus;
        this.status = status;
        this.reason = reason;
        this.reportsHealth = reportsHealth;
        this.retry = retry;
    }

    /**
     * @param wholeRequestInHand the head, and the body if any, can be sent again
     * @param idempotent RFC 9110 9.2.2
     * @param retriesLeft the route's retry budget left
     * @param freshRetryUsed the one retry on a fresh connection was spent already
     */
    boolean mayRetry(boolean wholeRequestInHand, boolean idempotent, int retriesLeft, boolean freshRetryUsed) {
        if (!wholeRequestInHand) {
            return false;
        }
        return switch (retry) {
            case NEVER -> false;
            case UNPROCESSED -> retriesLeft > 0;
            case FRESH_CONNECTION -> !freshRetryUsed;
            case IDEMPOTENT -> idempotent && retriesLeft > 0;
        };
    }
}
