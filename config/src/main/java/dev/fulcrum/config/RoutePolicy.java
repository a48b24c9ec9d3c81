package dev.fulcrum.config;

import java.time.Duration;
import java.util.Optional;

/**
 * What a route changes about how its requests are proxied.
 *
 * @param responseTimeout longest wait for the response head after the whole request went to the backend: 504
 * @param requestBody the route's own body limit in bytes ({@link ListenerLimits#UNLIMITED} for
 *     {@code unlimited}); empty: the listener's limit applies
 */
public record RoutePolicy(Duration responseTimeout, Optional<Long> requestBody) {

    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    public static final RoutePolicy DEFAULTS = new RoutePolicy(DEFAULT_RESPONSE_TIMEOUT, Optional.empty());

    /** The body limit for this route on a listener with {@code limits}. */
    public long requestBodyLimit(ListenerLimits limits) {
        return requestBody.orElse(limits.requestBody());
    }
}
