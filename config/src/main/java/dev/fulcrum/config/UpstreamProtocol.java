package dev.fulcrum.config;

import java.util.Locale;

/** What an http/https listener speaks to the servers of a pool. */
public enum UpstreamProtocol {
    /** HTTP/1.1, one request at a time per connection. */
    HTTP1,
    /** HTTP/2: over TLS with ALPN h2, on a plain pool with prior knowledge (h2c). */
    HTTP2,
    /** TLS pools only: ALPN offers h2 and http/1.1, and the server chooses. */
    AUTO;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
