package dev.fulcrum.l7;

import dev.fulcrum.config.ListenerLimits;
import dev.fulcrum.config.RoutePolicy;
import dev.fulcrum.config.UpstreamConfig;
import dev.fulcrum.lbcore.UpstreamTlsDialer;

/**
 * What governs one request on a route, resolved once per snapshot from the route, its
 * listener and its pool, so the proxy reads fields instead of merging settings per request.
 *
 * @param maxRequestBody bytes a request body may have; {@link ListenerLimits#UNLIMITED} for no limit
 * @param responseTimeoutNanos longest wait for the response head once the request was sent
 * @param upstream how connections to the pool's servers are opened and kept
 * @param retries further tries on another server after a failure before any response byte
 * @param concurrency the route's limit on requests in flight, shared by every connection
 * @param tls TLS to the pool's servers, or null for plain connections
 * @param responseIdleNanos longest silence from the server while the request goes out or the response streams
 * @param bufferRequest bytes of a request body read before a server is chosen, and kept for a retry
 */
record ExchangePolicy(long maxRequestBody, long responseTimeoutNanos, UpstreamConfig upstream, int retries,
                      ConcurrencyLimit concurrency, UpstreamTlsDialer tls, long responseIdleNanos,
                      long bufferRequest) {

    static ExchangePolicy of(RoutePolicy route, ListenerLimits listener, UpstreamConfig upstream) {
        return of(route, listener, upstream, null);
    }

    static ExchangePolicy of(RoutePolicy route, ListenerLimits listener, UpstreamConfig upstream,
                             UpstreamTlsDialer tls) {
        return of(route, listener, upstream, tls, null);
    }

    /**
     * @param previous the same route's policy in the snapshot being replaced, or null: its
     *     requests in flight keep counting against the route's concurrency limit
     */
    static ExchangePolicy of(RoutePolicy route, ListenerLimits listener, UpstreamConfig upstream,
                             UpstreamTlsDialer tls, ExchangePolicy previous) {
        return new ExchangePolicy(route.requestBodyLimit(listener), route.responseTimeout().toNanos(), upstream,
                route.retries(), ConcurrencyLimit.carriedOver(previous == null ? null : previous.concurrency(),
                        route.maxConcurrent()), tls, route.responseIdleTimeout().toNanos(),
                Math.min(route.bufferRequest(), route.requestBodyLimit(listener)));
    }
}
