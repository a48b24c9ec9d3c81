package dev.fulcrum.l7;

import java.time.Duration;

/**
 * Tunables of the HTTP proxy that the configuration does not expose yet.
 *
 * @param connectTimeout how long opening a backend connection may take before a 502
 * @param maxIdlePerServer idle keep-alive connections kept per server and event loop
 * @param idleTimeout an idle keep-alive connection is closed after this long unused
 */
public record ProxyOptions(Duration connectTimeout, int maxIdlePerServer, Duration idleTimeout) {

    public static final ProxyOptions DEFAULTS = new ProxyOptions(Duration.ofSeconds(2), 64, Duration.ofSeconds(60));

    public ProxyOptions {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        if (maxIdlePerServer < 0) {
            throw new IllegalArgumentException("max idle connections must not be negative");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }
}
