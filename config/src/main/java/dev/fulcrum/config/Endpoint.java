package dev.fulcrum.config;

/**
 * A host (IP literal or DNS name) and a port, as written in the configuration.
 * Kept unresolved: name resolution happens in the runtime, never while loading.
 * Port 0 is only valid for binds (ask the kernel for a free port).
 */
public record Endpoint(String host, int port) {

    /** The host as it goes into a URL authority: IPv6 literals bracketed. */
    public String hostForUri() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return hostForUri() + ":" + port;
    }
}
