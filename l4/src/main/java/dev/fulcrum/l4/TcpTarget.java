package dev.fulcrum.l4;

import dev.fulcrum.config.ProxyProtocol;
import dev.fulcrum.lbcore.pool.Pool;
import java.time.Duration;

/**
 * Where one tcp listener sends its connections, resolved once per snapshot.
 *
 * @param idleTimeout a connection with no byte either way for this long is closed
 */
record TcpTarget(String listener, Pool pool, Duration connectTimeout, Duration idleTimeout,
                 ProxyProtocol proxyProtocol, ListenerMeters meters) {
}
