package dev.fulcrum.config;

/**
 * How strictly an http/https listener guards its edge: how long a client may take and how
 * much it may send. tcp/tls listeners carry the defaults and ignore them.
 */
public record HttpEdgeConfig(ListenerTimeouts timeouts, ListenerLimits limits) {

    public static final HttpEdgeConfig DEFAULTS = new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, ListenerLimits.DEFAULTS);
}
