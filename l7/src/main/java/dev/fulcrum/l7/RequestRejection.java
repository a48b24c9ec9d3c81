package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Passed down the pipeline in place of a request (or request part) the framing guard refused,
 * so the proxy answers it in order with the responses still owed on the connection, then
 * closes. The refused message itself is never forwarded.
 *
 * @param reason the short body of the error response
 */
record RequestRejection(HttpResponseStatus status, String reason) {
}
