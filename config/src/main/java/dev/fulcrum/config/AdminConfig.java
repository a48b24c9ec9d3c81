package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The admin listener: metrics, status page and admin API.
 *
 * @param tokenFile bearer token for mutating calls; absent means mutating calls are refused
 */
public record AdminConfig(Endpoint bind, Optional<Path> tokenFile) {

    public static final Endpoint DEFAULT_BIND = new Endpoint("127.0.0.1", 9090);

    public static AdminConfig defaults() {
        return new AdminConfig(DEFAULT_BIND, Optional.empty());
    }
}
