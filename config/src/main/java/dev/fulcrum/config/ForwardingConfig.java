package dev.fulcrum.config;

import java.util.List;

/**
 * What an http/https listener tells backends about the client.
 *
 * <p>Forwarding headers a client sends are believed only from {@code trustedProxies} (the
 * peer address of the connection, e.g. a CDN or another load balancer in front): from them
 * the chains are extended, from anyone else they are replaced, so a client cannot forge
 * its address.
 *
 * @param trustedProxies peers whose X-Forwarded-* and Forwarded headers are kept and extended
 * @param xForwarded send X-Forwarded-For, -Proto, -Host and -Port
 * @param forwarded send the RFC 7239 Forwarded header
 * @param via add this proxy to the Via header of requests and responses (RFC 9110 7.6.3)
 */
public record ForwardingConfig(List<Subnet> trustedProxies, boolean xForwarded, boolean forwarded, boolean via) {

    public static final ForwardingConfig DEFAULTS = new ForwardingConfig(List.of(), true, false, true);

    public ForwardingConfig {
        trustedProxies = List.copyOf(trustedProxies);
    }
}
