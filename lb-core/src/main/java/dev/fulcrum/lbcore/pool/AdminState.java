package dev.fulcrum.lbcore.pool;

import java.util.Locale;

/** What an operator decided about a server, independent of its health. */
public enum AdminState {
    /** Takes new traffic when healthy. */
    ENABLED,
    /** Takes no new traffic; what it already has (sticky sessions, open connections) carries on. */
    DRAINING,
    /** Takes nothing new. */
    DISABLED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
