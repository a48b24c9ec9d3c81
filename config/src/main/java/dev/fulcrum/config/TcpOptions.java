package dev.fulcrum.config;

import java.time.Duration;
import java.util.List;

/**
 * How a tcp/tls listener relays its connections. http/https listeners carry the defaults.
 *
 * @param idleTimeout a connection with no byte either way for this long is closed
 * @param splice relay with splice(2) between the sockets when the transport can (epoll, no TLS)
 * @param acceptProxyFrom peers (trusted balancers in front of this one) whose connections must
 *     start with a PROXY protocol v1 or v2 header naming the real client; empty: none
 * @param drainTimeout when the listener stops (shutdown, or removed by a reload), how long open
 *     connections may still run before they are closed
 */
public record TcpOptions(Duration idleTimeout, boolean splice, List<Subnet> acceptProxyFrom, Duration drainTimeout) {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final TcpOptions DEFAULTS = new TcpOptions(DEFAULT_IDLE_TIMEOUT, true, List.of(), DEFAULT_DRAIN_TIMEOUT);

    public TcpOptions {
        acceptProxyFrom = List.copyOf(acceptProxyFrom);
    }
}
