package dev.fulcrum.l7.routing;

import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.config.RouteConfig;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * The routing table of one HTTP listener, compiled once per configuration snapshot. The
 * first route whose conditions all hold wins. Immutable and shared by every event loop.
 */
public final class Router {

    private final String listener;
    private final Route[] routes;

    private Router(String listener, Route[] routes) {
        this.listener = listener;
        this.routes = routes;
    }

    /**
     * @throws IllegalArgumentException when a rule cannot be compiled (bad regex, sni on http...)
     */
    public static Router compile(ListenerConfig listener) {
        return compile(listener.name(), listener.routes());
    }

    public static Router compile(String listener, List<RouteConfig> routes) {
        Route[] compiled = new Route[routes.size()];
        for (int i = 0; i < compiled.length; i++) {
            try {
                compiled[i] = new Route(i, routes.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listener " + listener + ": " + e.getMessage(), e);
            }
        }
        return new Router(listener, compiled);
    }

    public String listener() {
        return listener;
    }

    public List<Route> routes() {
        return List.of(routes);
    }

    /** The first matching route, or null when none matches (the proxy answers 404). */
    public Route match(RouteRequest request) {
        for (Route route : routes) {
            if (route.matches(request)) {
                return route;
            }
        }
        return null;
    }

    /**
     * Says, without sending traffic, which route a request would take and why each earlier
     * route did not: every rule in order with MATCH or the first reason it failed, stopping at
     * the first match. The request is parsed and normalised exactly as the proxy does.
     *
     * @param uri an origin-form path ({@code /a?b=c}) or an absolute URL (its host then counts)
     */
    public RouteExplanation explain(String method, String uri, HttpHeaders headers) {
        RouteRequest request;
        try {
            request = RouteRequest.of(method, uri, headers);
        } catch (InvalidRequestTargetException e) {
            return RouteExplanation.refused(listener, method, uri, e.getMessage());
        }
        return explain(request);
    }

    public RouteExplanation explain(RouteRequest request) {
        List<RouteExplanation.Verdict> verdicts = new ArrayList<>();
        Route matched = null;
        for (Route route : routes) {
            String failure = route.firstFailure(request);
            verdicts.add(new RouteExplanation.Verdict(route.index(), route.name(), route.target(),
                    route.describeConditions(), failure));
            if (failure == null) {
                matched = route;
                break;
            }
        }
        return new RouteExplanation(listener, request.method(), request.uri(), request.host(), request.path(),
                null, verdicts, matched);
    }
}
