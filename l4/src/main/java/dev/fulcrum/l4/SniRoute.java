package dev.fulcrum.l4;

import java.util.Optional;

/**
 * One route of a tcp listener: connections whose TLS ClientHello names a matching server go to
 * its pool. Without a pattern it matches every connection, TLS or not.
 *
 * @param serverName lower-case host name, or {@code *.suffix} for any name under that suffix
 */
record SniRoute(String name, Optional<String> serverName, TcpPool pool) {

    /** @param requested the SNI host name, or null when the client sent none or no TLS at all */
    boolean matches(String requested) {
        if (serverName.isEmpty()) {
            return true;
        }
        if (requested == null) {
            return false;
        }
        String pattern = serverName.get();
        String host = requested.toLowerCase(java.util.Locale.ROOT);
        if (pattern.startsWith("*.")) {
            // "*.example.com" covers a.example.com and a.b.example.com, not example.com itself.
            return host.length() > pattern.length() - 1 && host.endsWith(pattern.substring(1));
        }
        return host.equals(pattern);
    }
}
