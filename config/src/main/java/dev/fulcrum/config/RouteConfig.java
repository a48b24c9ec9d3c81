package dev.fulcrum.config;

/**
 * One routing rule of a listener; the first rule whose match holds wins.
 *
 * @param name unique within the listener; defaults to {@code route-N} (1-based) when not written
 * @param actions path and header changes on the way through
 */
public record RouteConfig(String name, MatchConfig match, String pool, Location location, RouteActions actions) {

    /** A route that changes nothing on the way. */
    public RouteConfig(String name, MatchConfig match, String pool, Location location) {
        this(name, match, pool, location, RouteActions.NONE);
    }
}
