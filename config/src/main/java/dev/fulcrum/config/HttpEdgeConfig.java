package dev.fulcrum.config;

/**
 * How strictly an http/https listener guards its edge: how long a client may take and how
 * much it may send, and HTTP/2. tcp/tls listeners carry the defaults and ignore them.
 */
public record HttpEdgeConfig(ListenerTimeouts timeouts, ListenerLimits limits, Http2Config http2) {

    public static final HttpEdgeConfig DEFAULTS = new HttpEdgeConfig(ListenerTimeouts.DEFAULTS, ListenerLimits.DEFAULTS);

    /** An edge with the default HTTP/2 settings (on). */
    public HttpEdgeConfig(ListenerTimeouts timeouts, ListenerLimits limits) {
        this(timeouts, limits, Http2Config.DEFAULTS);
    }
}
