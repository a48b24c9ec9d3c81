package dev.fulcrum.config;

/**
 * One routing rule of a listener; the first rule whose match holds wins.
 *
 * @param name unique within the listener; defaults to {@code route-N} (1-based) when not written
 * @param policy http/https: the route's response timeout and body limit
 */
public record RouteConfig(String name, MatchConfig match, String pool, Location location, RoutePolicy policy) {
}
