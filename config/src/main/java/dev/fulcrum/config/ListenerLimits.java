package dev.fulcrum.config;

/**
 * Size limits of requests on an http/https listener.
 *
 * @param requestLine longest request line in bytes (method, target, version): 414 beyond it
 * @param headerBlock bytes of all header lines together: 431 beyond it
 * @param headers most header fields in one request: 431 beyond it
 * @param requestBody largest request body in bytes, {@link #UNLIMITED} when written as {@code unlimited}:
 *     413 beyond it; routes may override it
 * @param minBodyRate {@code min_body_rate} in bytes per second: a request body arriving slower than
 *     that on average (after the {@code request_body} timeout of grace) gets 408; 0 turns it off
 */
public record ListenerLimits(int requestLine, int headerBlock, int headers, long requestBody, long minBodyRate) {

    /** A body limit written as {@code unlimited}: no body is ever too large. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    public static final int DEFAULT_REQUEST_LINE = 8 * 1024;
    public static final int DEFAULT_HEADER_BLOCK = 32 * 1024;
    public static final int DEFAULT_HEADERS = 100;
    public static final long DEFAULT_REQUEST_BODY = 100L * 1024 * 1024;
    public static final long DEFAULT_MIN_BODY_RATE = 240;
    public static final ListenerLimits DEFAULTS = new ListenerLimits(DEFAULT_REQUEST_LINE, DEFAULT_HEADER_BLOCK,
            DEFAULT_HEADERS, DEFAULT_REQUEST_BODY);

    public ListenerLimits(int requestLine, int headerBlock, int headers, long requestBody) {
        this(requestLine, headerBlock, headers, requestBody, DEFAULT_MIN_BODY_RATE);
    }

    // Accepted ranges, shared by the loader and the JSON schema.
    public static final int MIN_REQUEST_LINE = 256;
    public static final int MAX_REQUEST_LINE = 1024 * 1024;
    public static final int MIN_HEADER_BLOCK = 1024;
    public static final int MAX_HEADER_BLOCK = 1024 * 1024;
    public static final int MAX_HEADERS = 10_000;
}
