package dev.fulcrum.config;

import java.util.Optional;

/**
 * What a route changes on the way through: the path the backend receives, and headers in
 * both directions.
 *
 * @param stripPrefix removed from the front of the path (a path that then is empty becomes "/")
 * @param rewritePath the path's first match of a regex replaced ({@code $1} names groups)
 */
public record RouteActions(Optional<String> stripPrefix, Optional<PathRewrite> rewritePath,
                           HeaderActions requestHeaders, HeaderActions responseHeaders) {

    public static final RouteActions NONE =
            new RouteActions(Optional.empty(), Optional.empty(), HeaderActions.NONE, HeaderActions.NONE);

    /** A regular-expression path rewrite: {@code regex} (Java syntax) and its {@code replacement}. */
    public record PathRewrite(String regex, String replacement) {
    }
}
