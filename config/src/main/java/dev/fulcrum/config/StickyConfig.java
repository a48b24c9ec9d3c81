package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Sticky-cookie session persistence: the cookie that pins a client to a server.
 *
 * @param cookie insert: the proxy's own cookie; prefix: the application's session cookie it prefixes
 * @param mode insert (the proxy sets its cookie) or prefix (the application's cookie carries the server)
 * @param ttl how long a pin lasts; empty: for the browser session (insert) or the application cookie's life
 * @param keyFile the HMAC key that authenticates cookies; empty: a random key per process
 *     (cookies then do not survive a restart, nor work on the other node of a pair)
 */
public record StickyConfig(String cookie, Mode mode, Optional<Duration> ttl, boolean secure, boolean httpOnly,
                           Optional<SameSite> sameSite, Optional<String> domain, String path,
                           Optional<Path> keyFile) {

    /** How the server's name travels. */
    public enum Mode { INSERT, PREFIX }

    /** The cookie's SameSite attribute. */
    public enum SameSite {
        LAX("Lax"), STRICT("Strict"), NONE("None");

        private final String attribute;

        SameSite(String attribute) {
            this.attribute = attribute;
        }

        public String attribute() {
            return attribute;
        }
    }

    /** Insert mode with the defaults: HttpOnly, path /, a session cookie, a per-process key. */
    public StickyConfig(String cookie) {
        this(cookie, Mode.INSERT, Optional.empty(), false, true, Optional.empty(), Optional.empty(), "/",
                Optional.empty());
    }
}
