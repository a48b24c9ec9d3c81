package dev.fulcrum.l7.accesslog;

/**
 * What is logged of one exchange. Built on the event loop from references the exchange
 * already holds; formatted into text on the writer's thread.
 *
 * @param epochMillis when the request head arrived
 * @param durationNanos from the request head to the last byte of the response
 * @param responseBytes response body bytes sent to the client
 * @param host, userAgent, referer as the client sent them, or null
 */
public record AccessRecord(
        long epochMillis,
        long durationNanos,
        String client,
        String method,
        String uri,
        String protocol,
        String host,
        int status,
        long responseBytes,
        String userAgent,
        String referer,
        String listener,
        String route,
        String pool,
        String server) {
}
