package dev.fulcrum.config;

import java.time.Duration;

/**
 * Active health checking of every server of a pool.
 *
 * @param path http only: the request path probed
 * @param rise consecutive successes that bring a server up
 * @param fall consecutive failures that take it down
 */
public record HealthCheckConfig(HealthCheckType type, String path, Duration interval, Duration timeout,
                                int rise, int fall) {

    public static final String DEFAULT_PATH = "/";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
}
