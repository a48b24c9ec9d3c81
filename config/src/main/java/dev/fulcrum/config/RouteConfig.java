package dev.fulcrum.config;

/**
 * One routing rule of a listener; the first rule whose match holds wins.
 *
 * @param name unique within the listener; defaults to {@code route-N} (1-based) when not written
 * @param policy http/https: the route's response timeout and body limit
 * @param actions http/https: path and header changes on the way through
 */
public record RouteConfig(String name, MatchConfig match, String pool, Location location, RoutePolicy policy,
                          RouteActions actions) {

    /** A route with the default policy that changes nothing on the way. */
    public RouteConfig(String name, MatchConfig match, String pool, Location location) {
        this(name, match, pool, location, RoutePolicy.DEFAULTS, RouteActions.NONE);
    }

    public RouteConfig(String name, MatchConfig match, String pool, Location location, RoutePolicy policy) {
        this(name, match, pool, location, policy, RouteActions.NONE);
    }

    public RouteConfig(String name, MatchConfig match, String pool, Location location, RouteActions actions) {
        this(name, match, pool, location, RoutePolicy.DEFAULTS, actions);
    }
}
