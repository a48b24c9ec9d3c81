package dev.fulcrum.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Active health checking of every server of a pool.
 *
 * @param path http/https: the request path probed
 * @param rise consecutive successes that bring a server up
 * @param fall consecutive failures that take it down
 * @param method http/https: the request method
 * @param host http/https: the Host header sent; empty: the server's configured address
 * @param expectStatus http/https: statuses that count as a pass
 * @param expectBody http/https: text the body must contain (looked for in its first 64 KiB)
 * @param jitter each wait between checks is the interval plus a random part of this, so the
 *     checks of many servers do not fall in step
 * @param initialUp whether a server starts up (taking traffic until checks fail) or down
 *     (taking none until {@code rise} checks pass)
 * @param sni tls/https, and grpc on a pool with tls: the server name sent in the handshake; empty: none
 * @param service grpc: the service whose health is asked for; empty: the server's as a whole
 */
public record HealthCheckConfig(HealthCheckType type, String path, Duration interval, Duration timeout,
                                int rise, int fall, String method, Optional<String> host,
                                List<StatusRange> expectStatus, Optional<String> expectBody, Duration jitter,
                                boolean initialUp, Optional<String> sni, String service) {

    public static final String DEFAULT_PATH = "/";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final String DEFAULT_METHOD = "GET";
    public static final List<StatusRange> DEFAULT_EXPECT_STATUS = List.of(StatusRange.SUCCESS_OR_REDIRECT);
    /** grpc: the empty service name, which the grpc.health.v1 protocol reserves for the whole server. */
    public static final String DEFAULT_SERVICE = "";
    /** How much of a body is searched for {@code expect_body}. */
    public static final int MAX_BODY_SEARCHED = 64 * 1024;

    public HealthCheckConfig {
        expectStatus = List.copyOf(expectStatus);
        Objects.requireNonNull(service, "service");
    }

    /** A check that, if of type grpc, asks for the server's health as a whole. */
    public HealthCheckConfig(HealthCheckType type, String path, Duration interval, Duration timeout,
                             int rise, int fall, String method, Optional<String> host,
                             List<StatusRange> expectStatus, Optional<String> expectBody, Duration jitter,
                             boolean initialUp, Optional<String> sni) {
        this(type, path, interval, timeout, rise, fall, method, host, expectStatus, expectBody, jitter, initialUp,
                sni, DEFAULT_SERVICE);
    }

    /** A check with the defaults for everything but these. */
    public HealthCheckConfig(HealthCheckType type, String path, Duration interval, Duration timeout, int rise,
                             int fall) {
        this(type, path, interval, timeout, rise, fall, DEFAULT_METHOD, Optional.empty(), DEFAULT_EXPECT_STATUS,
                Optional.empty(), Duration.ZERO, true, Optional.empty(), DEFAULT_SERVICE);
    }

    /** True for checks that send an HTTP request (plain or over TLS). */
    public boolean speaksHttp() {
        return type == HealthCheckType.HTTP || type == HealthCheckType.HTTPS;
    }

    /**
     * True for the check types that always do a TLS handshake; a grpc check does one when its
     * pool has {@code tls}, which this record does not know.
     */
    public boolean usesTls() {
        return type == HealthCheckType.TLS || type == HealthCheckType.HTTPS;
    }

    /** True when the status passes the check. */
    public boolean expects(int status) {
        for (StatusRange range : expectStatus) {
            if (range.contains(status)) {
                return true;
            }
        }
        return false;
    }
}
