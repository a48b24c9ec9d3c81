package dev.fulcrum.config;

import java.time.Duration;

/**
 * HTTP/2 to the servers of a pool whose protocol is http2 (or auto, when ALPN picks h2).
 *
 * @param maxConcurrentStreams our own cap on streams per connection, on top of the server's
 *     SETTINGS_MAX_CONCURRENT_STREAMS (the lower of the two holds)
 * @param initialWindow SETTINGS_INITIAL_WINDOW_SIZE we advertise: each stream's receive window, in bytes
 * @param connectionWindow the connection's receive window in bytes; at least {@code initialWindow}
 * @param maxHeaderList SETTINGS_MAX_HEADER_LIST_SIZE we advertise, in bytes
 * @param maxRequests streams per connection, then it is retired (drained, not reused); 0: no cap
 * @param pingInterval a connection silent this long is sent a PING; 0: never
 * @param pingTimeout a PING not answered within this closes the connection as dead
 */
public record UpstreamHttp2Config(int maxConcurrentStreams, int initialWindow, int connectionWindow,
                                  int maxHeaderList, int maxRequests, Duration pingInterval, Duration pingTimeout) {

    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);
    public static final UpstreamHttp2Config DEFAULTS = new UpstreamHttp2Config(
            Http2Config.DEFAULT_MAX_CONCURRENT_STREAMS, Http2Config.DEFAULT_INITIAL_WINDOW,
            Http2Config.DEFAULT_CONNECTION_WINDOW, Http2Config.DEFAULT_MAX_HEADER_LIST, 0, DEFAULT_PING_INTERVAL,
            DEFAULT_PING_TIMEOUT);
}
