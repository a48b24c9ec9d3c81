package dev.fulcrum.config;

import java.time.Duration;

/**
 * Client-side timeouts of an http/https listener.
 *
 * @param requestHeader from the first byte of a request to the end of its header block (slowloris): 408, close
 * @param requestBody longest wait for the next request body bytes while the proxy is reading: 408, close
 * @param clientIdle a keep-alive connection with no request in progress is closed quietly after this long
 * @param clientWrite a client that reads nothing of a response for this long is closed (and its
 *     backend connection released)
 * @param tunnelIdle an Upgrade tunnel (WebSocket and the like) with no byte either way for this long is closed
 */
public record ListenerTimeouts(Duration requestHeader, Duration requestBody, Duration clientIdle,
                               Duration clientWrite, Duration tunnelIdle) {

    public static final Duration DEFAULT_REQUEST_HEADER = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_BODY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLIENT_IDLE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CLIENT_WRITE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TUNNEL_IDLE = Duration.ofHours(1);
    public static final ListenerTimeouts DEFAULTS =
            new ListenerTimeouts(DEFAULT_REQUEST_HEADER, DEFAULT_REQUEST_BODY, DEFAULT_CLIENT_IDLE);

    public ListenerTimeouts(Duration requestHeader, Duration requestBody, Duration clientIdle) {
        this(requestHeader, requestBody, clientIdle, DEFAULT_CLIENT_WRITE, DEFAULT_TUNNEL_IDLE);
    }
}
