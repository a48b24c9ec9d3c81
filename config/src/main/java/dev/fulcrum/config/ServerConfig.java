package dev.fulcrum.config;

/**
 * A backend server of a pool.
 *
 * @param weight relative share of traffic, 1..1000 (default 100)
 * @param maxConnections cap on open plus opening connections; 0 means no cap
 */
public record ServerConfig(String name, Endpoint address, int weight, int maxConnections, Location location) {

    public static final int DEFAULT_WEIGHT = 100;
}
