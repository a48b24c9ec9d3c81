package dev.fulcrum.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How connections to the servers of a pool are opened and kept, and what Host they are sent.
 *
 * @param connectTimeout longest wait for a connection to open: 504 (http) or close (tcp) beyond it
 * @param idleTimeout an unused keep-alive connection is closed after this long; keep it below the
 *     backends' own keep-alive timeout, so the proxy never sends on a connection the backend is closing
 * @param maxIdle idle keep-alive connections kept per server and event loop
 * @param hostHeader http: the Host requests carry to the servers: empty keeps the client's,
 *     {@link #HOST_SERVER} sends each server's configured address, anything else is sent as written
 * @param maxPending connections that may wait for a server when every server is at its
 *     {@code max_connections}; beyond it they are refused at once. 0: no waiting
 * @param queueTimeout longest wait in that queue
 * @param tls TLS to the servers; empty: plain TCP
 * @param protocol http: HTTP/1.1, HTTP/2, or (with {@code tls}) whichever ALPN settles on
 * @param http2 the HTTP/2 settings, used when the protocol is (or ALPN chooses) HTTP/2
 */
public record UpstreamConfig(Duration connectTimeout, Duration idleTimeout, int maxIdle, Optional<String> hostHeader,
                             int maxPending, Duration queueTimeout, Optional<UpstreamTls> tls,
                             UpstreamProtocol protocol, UpstreamHttp2Config http2) {

    public static final String HOST_SERVER = "server";

    /** Upstream settings speaking HTTP/1.1. */
    public UpstreamConfig(Duration connectTimeout, Duration idleTimeout, int maxIdle, Optional<String> hostHeader,
                          int maxPending, Duration queueTimeout, Optional<UpstreamTls> tls) {
        this(connectTimeout, idleTimeout, maxIdle, hostHeader, maxPending, queueTimeout, tls, UpstreamProtocol.HTTP1,
                UpstreamHttp2Config.DEFAULTS);
    }

    public UpstreamConfig(Duration connectTimeout, Duration idleTimeout, int maxIdle, Optional<String> hostHeader) {
        this(connectTimeout, idleTimeout, maxIdle, hostHeader, DEFAULT_MAX_PENDING, DEFAULT_QUEUE_TIMEOUT,
                Optional.empty());
    }

    public UpstreamConfig(Duration connectTimeout, Duration idleTimeout, int maxIdle) {
        this(connectTimeout, idleTimeout, maxIdle, Optional.empty());
    }

    public static final int DEFAULT_MAX_PENDING = 1024;
    public static final int MAX_MAX_PENDING = 1_000_000;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(5);

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(50);
    public static final int DEFAULT_MAX_IDLE = 64;
    public static final int MAX_MAX_IDLE = 100_000;
    public static final UpstreamConfig DEFAULTS =
            new UpstreamConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_IDLE);
}
