package dev.fulcrum.config;

import java.util.Locale;

/** How a pool picks a server among its eligible ones. */
public enum Balance {
    ROUND_ROBIN, LEAST_CONN, RANDOM, SOURCE_HASH, CONSISTENT_HASH;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
