package dev.fulcrum.lbcore.health;

import dev.fulcrum.lbcore.pool.Server;

/**
 * Where the proxies report what real traffic observed about a server, so passive outlier
 * detection can eject a failing server between active checks. Called on event loops: must
 * not block.
 */
public interface PassiveHealth {

    /** Does nothing: the default until outlier detection exists. */
    PassiveHealth NONE = new PassiveHealth() {
        @Override
        public void onFailure(Server server, Throwable cause) {
        }

        @Override
        public void onSuccess(Server server) {
        }
    };

    /** The server could not be reached, or dropped the connection before answering. */
    void onFailure(Server server, Throwable cause);

    /** The server answered a request. */
    void onSuccess(Server server);

    /** The server answered an HTTP request with this status (after {@link #onSuccess}). */
    default void onResponse(Server server, int status) {
    }
}
