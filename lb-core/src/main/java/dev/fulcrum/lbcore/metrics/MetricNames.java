package dev.fulcrum.lbcore.metrics;

/**
 * Names of every Fulcrum meter, in Micrometer's dotted form. The Prometheus registry adds the
 * unit and type suffixes: {@code fulcrum.http.requests} is scraped as
 * {@code fulcrum_http_requests_total}, {@code fulcrum.http.request.duration} as
 * {@code fulcrum_http_request_duration_seconds}.
 */
public final class MetricNames {

    public static final String HTTP_REQUESTS = "fulcrum.http.requests";
    /** Access log lines dropped because the writer could not keep up; tagged by listener. */
    public static final String ACCESS_LOG_DROPPED = "fulcrum.access.log.dropped";
    public static final String HTTP_REQUEST_DURATION = "fulcrum.http.request.duration";
    /** 1 while a server is up by its checks and not ejected, per pool and server. */
    public static final String SERVER_UP = "fulcrum.server.up";
    /** 1 while a server is in rotation: enabled, up and not ejected. */
    public static final String SERVER_IN_ROTATION = "fulcrum.server.in.rotation";
    /** Changes of a server's state, per pool, server and the state reached ({@code to}). */
    public static final String SERVER_TRANSITIONS = "fulcrum.server.transitions";
    /** Ejections by passive outlier detection, per pool and server. */
    public static final String SERVER_EJECTIONS = "fulcrum.server.ejections";
    /** 1 while a pool is in panic (no server up, traffic sent to all), per pool. */
    public static final String POOL_PANIC = "fulcrum.pool.panic";
    /** Connections or requests sent to a down server in panic, per pool. */
    public static final String POOL_PANIC_PICKS = "fulcrum.pool.panic.picks";
    /** Connections or requests waiting in a pool's queue for a server with room, per pool. */
    public static final String POOL_QUEUE_WAITING = "fulcrum.pool.queue.waiting";
    public static final String TAG_TO = "to";
    /** What changed a server's state: health_check, outlier_detection or admin. */
    public static final String TAG_CAUSE = "cause";
    public static final String SERVER_CONNECTIONS_ACTIVE = "fulcrum.server.connections.active";
    public static final String RETRIES = "fulcrum.retries";
    /** Requests that met a bug of ours (answered 500, or cut short), by listener. */
    public static final String HTTP_INTERNAL_ERRORS = "fulcrum.http.internal.errors";
    /** HTTP/2 streams opened by clients, by listener. */
    public static final String HTTP2_STREAMS = "fulcrum.http2.streams";
    /** HTTP/2 streams open now, by listener. */
    public static final String HTTP2_STREAMS_ACTIVE = "fulcrum.http2.streams.active";
    /** RST_STREAM frames, by listener, side (client: received; proxy: sent) and code. */
    public static final String HTTP2_RESETS = "fulcrum.http2.resets";
    /** GOAWAY frames, by listener, side and code. */
    public static final String HTTP2_GOAWAYS = "fulcrum.http2.goaways";
    /** Times a stream's response could not go on because the client's flow-control window was full. */
    public static final String HTTP2_FLOW_CONTROL_STALLS = "fulcrum.http2.flow.control.stalls";
    /** gRPC calls answered, by listener and the grpc-status the client got. */
    public static final String GRPC_RESPONSES = "fulcrum.grpc.responses";
    public static final String TAG_GRPC_STATUS = "grpc_status";
    /** HTTP connections accepted, by listener and protocol (http/1.1, h2). */
    public static final String HTTP_CONNECTIONS = "fulcrum.http.connections";
    public static final String TAG_SIDE = "side";
    public static final String TAG_PROTOCOL = "protocol";
    public static final String SIDE_CLIENT = "client";
    public static final String SIDE_PROXY = "proxy";
    public static final String STICKY = "fulcrum.sticky";
    public static final String TLS_HANDSHAKES = "fulcrum.tls.handshakes";
    /** Successful handshakes that resumed an earlier session (ticket or cache), per listener. */
    public static final String TLS_SESSIONS_RESUMED = "fulcrum.tls.sessions.resumed";
    public static final String HA_STATE = "fulcrum.ha.state";
    public static final String CONFIG_RELOADS = "fulcrum.config.reloads";
    /** Active health checks run, per pool, server and result ({@value #PASS} or {@value #FAIL}). */
    public static final String HEALTH_CHECKS = "fulcrum.health.checks";
    /** How long each active health check took, per pool and server, from connect to verdict. */
    public static final String HEALTH_CHECK_DURATION = "fulcrum.health.check.duration";

    public static final String TAG_LISTENER = "listener";
    public static final String TAG_ROUTE = "route";
    public static final String TAG_POOL = "pool";
    public static final String TAG_SERVER = "server";
    public static final String TAG_CODE = "code";
    public static final String TAG_RESULT = "result";
    /** {@link #TAG_RESULT} of a health check that passed. */
    public static final String PASS = "pass";
    /** {@link #TAG_RESULT} of a health check that failed. */
    public static final String FAIL = "fail";

    /** TCP connections accepted, per listener (a counter: scraped as {@code _total}). */
    public static final String TCP_CONNECTIONS = "fulcrum.tcp.connections";
    /** TCP connections closed, per listener; active = accepted - closed. */
    public static final String TCP_CONNECTIONS_CLOSED = "fulcrum.tcp.connections.closed";
    /** TCP connections open now, per listener. */
    public static final String TCP_CONNECTIONS_ACTIVE = "fulcrum.tcp.connections.active";
    /** Bytes relayed by TCP listeners, per listener, pool, server and direction. */
    public static final String TCP_BYTES = "fulcrum.tcp.bytes";
    /** Backend connections a TCP listener failed to open, per listener, pool and server. */
    public static final String TCP_CONNECT_FAILURES = "fulcrum.tcp.connect.failures";
    public static final String TAG_DIRECTION = "direction";
    /** Client connections a listener closed without serving them, per listener and reason. */
    public static final String LISTENER_REFUSED = "fulcrum.listener.connections.refused";
    public static final String TAG_REASON = "reason";
    /** The listener held its {@code max_connections}. */
    public static final String REFUSED_MAX_CONNECTIONS = "max_connections";
    /** No server of the pool was in rotation (tcp). */
    public static final String REFUSED_NO_SERVER = "no_server";
    /** Every server was at its cap and the pool's queue was full (tcp). */
    public static final String REFUSED_QUEUE_FULL = "queue_full";
    /** Every server stayed at its cap for the whole queue timeout (tcp). */
    public static final String REFUSED_QUEUE_TIMEOUT = "queue_timeout";
    /** A peer in accept_proxy_protocol sent no valid PROXY header (tcp). */
    public static final String REFUSED_BAD_PROXY_HEADER = "bad_proxy_header";
    /** No route matched the TLS server name, and the listener has no default pool (tcp). */
    public static final String REFUSED_NO_ROUTE = "no_route";
    /** The listener was draining when the connection arrived. */
    public static final String REFUSED_DRAINING = "draining";
    /** Client to server. */
    public static final String TO_SERVER = "to_server";
    /** Server to client. */
    public static final String TO_CLIENT = "to_client";

    /** Tag value when a request never got as far as that tag (no route, no server). */
    public static final String NONE = "none";

    private MetricNames() {
    }

    /** The {@code code} tag value of a status: {@code 1xx} to {@code 5xx}. */
    public static String codeClass(int status) {
        int cls = status / 100;
        if (cls < 1 || cls > 5) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        return cls + "xx";
    }
}
