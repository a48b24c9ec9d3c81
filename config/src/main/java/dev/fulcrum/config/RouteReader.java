package dev.fulcrum.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads one route of a listener: its match, target (pool or local reply), policy and header edits. */
final class RouteReader {

    private final References refs;

    RouteReader(References refs) {
        this.refs = refs;
    }

    /**
     * @param protocol the listener's protocol, when it was valid
     * @param seen route names of this listener so far
     */
    RouteConfig route(MapReader r, int index, Optional<Protocol> protocol, Map<String, Location> seen) {
        String name = r.optional("name", Scalars.name("route"), "route-" + (index + 1));
        refs.unique(seen, name, r, "route", "a listener");
        MatchConfig match = r.section("match", "match", m -> match(m, protocol)).orElse(MatchConfig.ANY);
        Optional<String> pool = r.optional("pool", refs.poolRef());
        pool.ifPresent(p -> refs.checkHashKeyVisible(r, p, protocol));
        RoutePolicy policy = routePolicy(r);
        RouteActions actions = routeActions(r);
        Optional<LocalReply> reply = localReply(r);
        protocol.ifPresent(p -> ProtocolKeys.check(r, ProtocolKeys.Scope.ROUTE, p));
        int targets = (r.has("pool") ? 1 : 0) + (r.has("redirect") ? 1 : 0) + (r.has("respond") ? 1 : 0);
        if (targets == 0) {
            r.require("pool");
        } else if (targets > 1) {
            r.error("a route has exactly one of 'pool', 'redirect' and 'respond'");
        }
        if (targets != 1 || pool.isEmpty() && reply.isEmpty()) {
            return null;
        }
        return new RouteConfig(name, match, pool, r.location(), policy, actions, reply);
    }

    private Optional<LocalReply> localReply(MapReader r) {
        Optional<LocalReply> redirect = r.section("redirect", "redirect", rr -> new LocalReply.Redirect(
                rr.optional("status", Scalars.integerOf(List.of(301, 302, 303, 307, 308)), 302),
                rr.optional("scheme", Scalars.oneOf(List.of("http", "https"), "scheme")),
                rr.optional("host", NetValues.hostPattern("host").then(h -> {
                    if (h.startsWith("*.")) {
                        throw new Invalid("a redirect host cannot be a wildcard");
                    }
                    return h;
                })),
                rr.optional("port", Scalars.integer(1, 65535)),
                rr.optional("path", HttpValues.urlPath("path")),
                rr.optional("strip_query", Scalars.bool(), false)));
        Optional<LocalReply> respond = r.section("respond", "respond", rr -> new LocalReply.Respond(
                rr.optional("status", Scalars.integer(200, 599), 200),
                rr.optional("body", Scalars.string("the response body"), ""),
                rr.optional("content_type", HttpValues.headerValue(), "text/plain; charset=utf-8")));
        return redirect.isPresent() ? redirect : respond;
    }

    private RouteActions routeActions(MapReader r) {
        Optional<String> strip = r.optional("strip_prefix", HttpValues.urlPath("strip_prefix"));
        Optional<RouteActions.PathRewrite> rewrite = r.section("rewrite_path", "rewrite_path", rr -> {
            Optional<String> regex = rr.required("regex", Scalars.regex());
            Optional<String> to = rr.required("replacement", Scalars.string("the replacement path"));
            return regex.isPresent() && to.isPresent() ? new RouteActions.PathRewrite(regex.get(), to.get()) : null;
        });
        if (r.has("strip_prefix") && r.has("rewrite_path")) {
            r.errorAtKey("rewrite_path", "use either strip_prefix or rewrite_path on a route, not both");
        }
        HeaderActions request = r.section("request_headers", "header_actions", this::headerActions)
                .orElse(HeaderActions.NONE);
        HeaderActions response = r.section("response_headers", "header_actions", this::headerActions)
                .orElse(HeaderActions.NONE);
        return new RouteActions(strip, rewrite, request, response);
    }

    private HeaderActions headerActions(MapReader r) {
        return new HeaderActions(
                r.stringMap("add", HttpValues.editableHeaderName(), HttpValues.headerValue()),
                r.stringMap("set", HttpValues.editableHeaderName(), HttpValues.headerValue()),
                r.list("remove", HttpValues.editableHeaderName()));
    }

    private RoutePolicy routePolicy(MapReader r) {
        RouteTimeouts timeouts = r.section("timeouts", "route_timeouts", tr -> new RouteTimeouts(
                        tr.optional("response", Scalars.positiveDuration(), RoutePolicy.DEFAULT_RESPONSE_TIMEOUT),
                        tr.optional("response_idle", Scalars.positiveDuration(),
                                RoutePolicy.DEFAULT_RESPONSE_IDLE_TIMEOUT)))
                .orElse(RouteTimeouts.DEFAULTS);
        Optional<RouteLimits> limits = r.section("limits", "route_limits", lr -> new RouteLimits(
                lr.optional("request_body", Scalars.sizeOrUnlimited()),
                lr.optional("concurrent_requests", Scalars.integer(0, Integer.MAX_VALUE), 0)));
        Optional<Long> body = limits.flatMap(RouteLimits::requestBody);
        int concurrent = limits.map(RouteLimits::concurrentRequests).orElse(0);
        int retries = r.optional("retries", Scalars.integer(0, RoutePolicy.MAX_RETRIES), RoutePolicy.DEFAULT_RETRIES);
        long buffer = r.optional("buffer_request", Scalars.sizeAtMost(RoutePolicy.MAX_BUFFER_REQUEST,
                " (0 streams the body at once)"), RoutePolicy.DEFAULT_BUFFER_REQUEST);
        return new RoutePolicy(timeouts.response(), body, retries, concurrent, timeouts.responseIdle(), buffer);
    }

    /** A route's {@code timeouts} section. */
    private record RouteTimeouts(Duration response, Duration responseIdle) {
        static final RouteTimeouts DEFAULTS = new RouteTimeouts(RoutePolicy.DEFAULT_RESPONSE_TIMEOUT,
                RoutePolicy.DEFAULT_RESPONSE_IDLE_TIMEOUT);
    }

    /** A route's {@code limits} section. */
    private record RouteLimits(Optional<Long> requestBody, int concurrentRequests) {
    }

    private MatchConfig match(MapReader r, Optional<Protocol> protocol) {
        Optional<String> host = r.optional("host", NetValues.hostPattern("host"));
        Optional<String> path = r.optional("path", HttpValues.urlPath("path"));
        Optional<String> prefix = r.optional("path_prefix", HttpValues.urlPath("path_prefix"));
        Optional<String> regex = r.optional("path_regex", Scalars.regex());
        List<String> methods = r.oneOrList("method", HttpValues.httpMethod());
        Map<String, String> headers = r.stringMap("headers", HttpValues.headerName(), Scalars.anyText());
        Map<String, String> query = r.stringMap("query", Scalars.string("a query parameter name"), Scalars.anyText());
        Map<String, String> cookies = r.stringMap("cookie", HttpValues.cookieName(), Scalars.anyText());
        Optional<String> sni = r.optional("sni", NetValues.hostPattern("sni"));
        protocol.ifPresent(p -> ProtocolKeys.check(r, ProtocolKeys.Scope.MATCH, p));
        return new MatchConfig(host, path, prefix, regex, methods, headers, query, cookies, sni);
    }
}
