package dev.fulcrum.l4;

/**
 * Names of the TCP meters, in Micrometer's dotted form like
 * {@link dev.fulcrum.lbcore.metrics.MetricNames}, where they belong once both proxies settle.
 */
public final class TcpMetricNames {

    /** Connections accepted, per listener (a counter: scraped as {@code _total}). */
    public static final String CONNECTIONS = "fulcrum.tcp.connections";
    /** Connections closed, per listener; active = accepted - closed. */
    public static final String CONNECTIONS_CLOSED = "fulcrum.tcp.connections.closed";
    /** Connections open now, per listener. */
    public static final String CONNECTIONS_ACTIVE = "fulcrum.tcp.connections.active";
    /** Bytes relayed, per listener, pool, server and direction. */
    public static final String BYTES = "fulcrum.tcp.bytes";
    /** Backend connections that failed to open, per listener, pool and server. */
    public static final String CONNECT_FAILURES = "fulcrum.tcp.connect.failures";

    public static final String TAG_DIRECTION = "direction";
    /** Client to server. */
    public static final String TO_SERVER = "to_server";
    /** Server to client. */
    public static final String TO_CLIENT = "to_client";

    private TcpMetricNames() {
    }
}
