package dev.fulcrum.l7;

import dev.fulcrum.config.UpstreamProtocol;
import dev.fulcrum.l7.routing.InvalidRequestTargetException;
import dev.fulcrum.l7.routing.Route;
import dev.fulcrum.l7.routing.RouteRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The admit phase: which route takes a request, whether its declared body fits the route's
 * limit, whether the route answers itself (respond, redirect), and the route's concurrency
 * slot. What it refuses or answers goes to the {@link LocalAnswer}; none of it reaches a pool.
 */
final class Admission {

    /** Where the admit phase sends what the proxy answers itself. */
    interface LocalAnswer {

        /** A refusal: no route, a bad target, a body over the limit, a busy route, no listener. */
        void answer(HttpResponseStatus status, String message, RequestMeters meters);

        /** The route answers itself (a redirect or a fixed response). */
        void replyAs(Route route, LocalReplies reply);

        /** A limit is reached (a busy route): 503, which a gRPC client reads as RESOURCE_EXHAUSTED. */
        void exhausted(String message, RequestMeters meters);
    }

    private Admission() {
    }

    /**
     * @param routes the listener's routes in the exchange's snapshot; null when the listener is gone
     * @param routeRequest refilled from {@code head}: what the router and the balancer read
     * @return the admitted route, its concurrency slot taken; null when it was answered locally
     */
    static Route admit(HttpRoutes routes, RouteRequest routeRequest, HttpRequest head, LocalAnswer local) {
        if (routes == null) {
            local.answer(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.LISTENER_GONE, null);
            return null;
        }
        try {
            routeRequest.parse(head.method().name(), head.uri(), head.headers());
        } catch (InvalidRequestTargetException e) {
            local.answer(HttpResponseStatus.BAD_REQUEST, "bad request: " + e.getMessage(), routes.unroutedMeters());
            return null;
        }
        Route matched = routes.router().match(routeRequest);
        if (matched == null) {
            local.answer(HttpResponseStatus.NOT_FOUND, LocalResponses.NO_ROUTE, routes.unroutedMeters());
            return null;
        }
        ExchangePolicy policy = routes.policy(matched);
        if (HttpUtil.getContentLength(head, 0L) > policy.maxRequestBody()) {
            // Refused before any backend sees a byte; a chunked body is counted as it streams.
            local.answer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, LocalResponses.BODY_TOO_LARGE,
                    routes.noServerMeters(matched));
            return null;
        }
        LocalReplies reply = routes.reply(matched);
        if (reply != null) {
            local.replyAs(matched, reply);
            return null;
        }
        if (policy.upstream().protocol() == UpstreamProtocol.HTTP1 && GrpcStatus.isGrpc(head.headers())) {
            // An HTTP/1.1 server cannot take a gRPC call (trailers, streams): say so rather than forward it.
            local.answer(HttpResponseStatus.SERVICE_UNAVAILABLE, LocalResponses.grpcToHttp1(routes.pool(matched).name()),
                    routes.noServerMeters(matched));
            return null;
        }
        if (!policy.concurrency().tryAcquire()) {
            local.exhausted(LocalResponses.routeBusy(matched.name()), routes.noServerMeters(matched));
            return null;
        }
        return matched;
    }
}
