package dev.fulcrum.config;

import java.time.Duration;

/**
 * HTTP/2 on an http/https listener: h2c (prior knowledge) on http, ALPN h2 on https. The
 * settings are what we advertise and the abuse limits we enforce; tcp/tls listeners carry the
 * defaults and ignore them.
 *
 * @param enabled false ({@code http2: false}): HTTP/1 only, no h2c preface accepted, no h2 offered
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS
 * @param initialWindow SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window, in bytes
 * @param connectionWindow the connection's receive window in bytes, raised from 65,535 with a
 *     WINDOW_UPDATE on stream 0; at least {@code initialWindow}
 * @param maxHeaderList SETTINGS_MAX_HEADER_LIST_SIZE in bytes
 * @param maxFrame SETTINGS_MAX_FRAME_SIZE in bytes
 * @param maxResets RST_STREAM frames a client may send per {@code resetWindow} (Rapid Reset,
 *     CVE-2023-44487); more: GOAWAY and close
 * @param maxResetsSent RST_STREAM frames we may send per {@code resetWindow} because of the
 *     client's errors (MadeYouReset, CVE-2025-55163); more: GOAWAY and close
 * @param resetWindow the window both reset counts run over; whole seconds
 * @param maxSmallContinuations CONTINUATION frames without meaningful payload in one header block
 * @param maxEmptyData consecutive empty DATA frames without END_STREAM
 * @param maxQueuedControlFrames control frames we queue for a client that does not read them
 * @param maxControlFrames SETTINGS, PING, PRIORITY and WINDOW_UPDATE frames a client may send per
 *     {@code floodWindow} beyond what its data and streams earn
 * @param floodWindow the window {@code maxControlFrames} runs over
 * @param maxRequests streams per connection before a GOAWAY asks the client for a new one; 0: no cap
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, int initialWindow, int connectionWindow,
                          int maxHeaderList, int maxFrame, int maxResets, int maxResetsSent, Duration resetWindow,
                          int maxSmallContinuations, int maxEmptyData, int maxQueuedControlFrames,
                          int maxControlFrames, Duration floodWindow, int maxRequests) {

    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final int DEFAULT_INITIAL_WINDOW = 64 * 1024;
    public static final int DEFAULT_CONNECTION_WINDOW = 1024 * 1024;
    public static final int DEFAULT_MAX_HEADER_LIST = 16 * 1024;
    public static final int DEFAULT_MAX_FRAME = 16 * 1024;
    public static final int DEFAULT_MAX_RESETS = 200;
    public static final int DEFAULT_MAX_RESETS_SENT = 200;
    public static final Duration DEFAULT_RESET_WINDOW = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_SMALL_CONTINUATIONS = 16;
    public static final int DEFAULT_MAX_EMPTY_DATA = 2;
    public static final int DEFAULT_MAX_QUEUED_CONTROL_FRAMES = 10_000;
    public static final int DEFAULT_MAX_CONTROL_FRAMES = 1000;
    public static final Duration DEFAULT_FLOOD_WINDOW = Duration.ofSeconds(10);

    public static final Http2Config DEFAULTS = new Http2Config(true, DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_WINDOW, DEFAULT_CONNECTION_WINDOW, DEFAULT_MAX_HEADER_LIST, DEFAULT_MAX_FRAME,
            DEFAULT_MAX_RESETS, DEFAULT_MAX_RESETS_SENT, DEFAULT_RESET_WINDOW, DEFAULT_MAX_SMALL_CONTINUATIONS,
            DEFAULT_MAX_EMPTY_DATA, DEFAULT_MAX_QUEUED_CONTROL_FRAMES, DEFAULT_MAX_CONTROL_FRAMES,
            DEFAULT_FLOOD_WINDOW, 0);
    /** {@code http2: false}: the settings are the defaults, unused. */
    public static final Http2Config DISABLED = DEFAULTS.withEnabled(false);

    // Accepted ranges, shared by the loader and the JSON schema (RFC 9113 section 6.5.2 for the settings).
    /** RFC 9113's initial window: a connection window never goes below it; a smaller stream window slows uploads. */
    public static final int MIN_WINDOW = 65_535;
    public static final int MAX_WINDOW = Integer.MAX_VALUE;
    public static final int MIN_MAX_HEADER_LIST = 1024;
    public static final int MAX_MAX_HEADER_LIST = 1024 * 1024;
    public static final int MIN_MAX_FRAME = 16_384;
    public static final int MAX_MAX_FRAME = 16_777_215;
    public static final Duration MIN_ABUSE_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_ABUSE_WINDOW = Duration.ofHours(1);

    private Http2Config withEnabled(boolean on) {
        return new Http2Config(on, maxConcurrentStreams, initialWindow, connectionWindow, maxHeaderList, maxFrame,
                maxResets, maxResetsSent, resetWindow, maxSmallContinuations, maxEmptyData, maxQueuedControlFrames,
                maxControlFrames, floodWindow, maxRequests);
    }
}
