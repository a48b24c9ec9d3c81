package dev.fulcrum.lbcore.pool;

import java.net.SocketAddress;

/**
 * Chooses a server of one pool. Implementations are shared by every event loop: lock-free,
 * and they only ever return an eligible server.
 */
public interface Balancer {

    /**
     * @param client the client's address, for strategies that keep a client on one server
     * @return an eligible server, or null when none is eligible
     */
    Server pick(SocketAddress client);
}
