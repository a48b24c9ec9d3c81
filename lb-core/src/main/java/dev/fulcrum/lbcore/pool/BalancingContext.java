package dev.fulcrum.lbcore.pool;

import java.net.SocketAddress;

/**
 * What a balancer may look at to choose a server: the client address always, and for HTTP
 * the request's headers and cookies. The L7 proxy passes a per-connection object that it
 * refills for each request, so no context is allocated per pick; L4 has only the client.
 */
public interface BalancingContext {

    /** The client's address; may be null when unknown (then hashing treats all clients alike). */
    SocketAddress client();

    /**
     * The first value of a request header, or null when absent or not HTTP.
     *
     * @param name case-insensitive
     */
    default String header(String name) {
        return null;
    }

    /** The value of a request cookie (the first when repeated), or null when absent or not HTTP. */
    default String cookie(String name) {
        return null;
    }

    /** A context with only a client address: what a TCP connection offers. */
    static BalancingContext ofClient(SocketAddress client) {
        return new ClientOnly(client);
    }

    /** A connection without HTTP: only its client address. */
    record ClientOnly(SocketAddress client) implements BalancingContext {
    }
}
