package dev.fulcrum.config;

import java.util.Optional;

/**
 * One routing rule of a listener; the first rule whose match holds wins. A rule sends the
 * request to a pool, or answers it itself ({@code reply}): exactly one of the two is set.
 *
 * @param name unique within the listener; defaults to {@code route-N} (1-based) when not written
 * @param pool the pool requests go to; empty when the route replies itself
 * @param policy http/https: the route's response timeout, body limit and retries
 * @param actions http/https: path and header changes on the way through
 * @param reply http/https: a redirect or fixed response instead of a pool
 */
public record RouteConfig(String name, MatchConfig match, Optional<String> pool, Location location,
                          RoutePolicy policy, RouteActions actions, Optional<LocalReply> reply) {

    public RouteConfig {
        if (pool.isPresent() == reply.isPresent()) {
            throw new IllegalArgumentException("route " + name + " needs exactly one of a pool and a reply");
        }
    }

    /** A route to a pool with the default policy that changes nothing on the way. */
    public RouteConfig(String name, MatchConfig match, String pool, Location location) {
        this(name, match, pool, location, RoutePolicy.DEFAULTS, RouteActions.NONE);
    }

    public RouteConfig(String name, MatchConfig match, String pool, Location location, RoutePolicy policy) {
        this(name, match, pool, location, policy, RouteActions.NONE);
    }

    public RouteConfig(String name, MatchConfig match, String pool, Location location, RouteActions actions) {
        this(name, match, pool, location, RoutePolicy.DEFAULTS, actions);
    }

    public RouteConfig(String name, MatchConfig match, String pool, Location location, RoutePolicy policy,
                       RouteActions actions) {
        this(name, match, Optional.of(pool), location, policy, actions, Optional.empty());
    }

    /** The pool, or a description of the reply, as {@code fulcrum route} and logs show a route's target. */
    public String target() {
        if (pool.isPresent()) {
            return "pool " + pool.get();
        }
        LocalReply answer = reply.orElseThrow();
        return answer instanceof LocalReply.Redirect r ? "redirect " + r.status()
                : "respond " + ((LocalReply.Respond) answer).status();
    }
}
