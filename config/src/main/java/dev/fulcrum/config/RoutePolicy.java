package dev.fulcrum.config;

import java.time.Duration;
import java.util.Optional;

/**
 * What a route changes about how its requests are proxied.
 *
 * @param responseTimeout longest wait for the response head after the whole request went to the backend: 504
 * @param requestBody the route's own body limit in bytes ({@link ListenerLimits#UNLIMITED} for
 *     {@code unlimited}); empty: the listener's limit applies
 * @param retries further tries on another server after a failure before any response byte
 *     (a connect failure always; a reset only for idempotent requests without a body)
 * @param maxConcurrent requests in flight on this route at once, across all connections; more
 *     are answered 503 at once. 0: no limit
 * @param responseIdleTimeout {@code timeouts.response_idle}: the longest silence from the server
 *     while the request goes out or the response streams (504 before a response head, the
 *     client connection cut after it)
 * @param bufferRequest {@code buffer_request}: bytes of a request body read whole before a server
 *     is chosen (so the request can be retried with its body); 0 streams at once. At most
 *     {@link #MAX_BUFFER_REQUEST}; a body larger than this is streamed once the buffer is full
 */
public record RoutePolicy(Duration responseTimeout, Optional<Long> requestBody, int retries, int maxConcurrent,
                          Duration responseIdleTimeout, long bufferRequest) {

    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_RETRIES = 1;
    public static final int MAX_RETRIES = 10;
    public static final Duration DEFAULT_RESPONSE_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_BUFFER_REQUEST = 64 * 1024;
    /** The largest {@code buffer_request} accepted: held in memory per request in flight. */
    public static final long MAX_BUFFER_REQUEST = 64L * 1024 * 1024;
    public static final RoutePolicy DEFAULTS =
            new RoutePolicy(DEFAULT_RESPONSE_TIMEOUT, Optional.empty(), DEFAULT_RETRIES, 0);

    public RoutePolicy(Duration responseTimeout, Optional<Long> requestBody) {
        this(responseTimeout, requestBody, DEFAULT_RETRIES);
    }

    public RoutePolicy(Duration responseTimeout, Optional<Long> requestBody, int retries) {
        this(responseTimeout, requestBody, retries, 0);
    }

    public RoutePolicy(Duration responseTimeout, Optional<Long> requestBody, int retries, int maxConcurrent) {
        this(responseTimeout, requestBody, retries, maxConcurrent, DEFAULT_RESPONSE_IDLE_TIMEOUT,
                DEFAULT_BUFFER_REQUEST);
    }

    /** The body limit for this route on a listener with {@code limits}. */
    public long requestBodyLimit(ListenerLimits limits) {
        return requestBody.orElse(limits.requestBody());
    }
}
