package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS from the proxy to a pool's servers.
 *
 * @param ca CA bundle (PEM) the servers' certificates are verified against; empty: the JDK's
 * @param sni server name sent and verified; empty: the server's configured host
 * @param verify false accepts any certificate (testing only)
 */
public record UpstreamTls(Optional<Path> ca, Optional<String> sni, boolean verify) {
}
