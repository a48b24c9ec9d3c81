package dev.fulcrum.config;

import java.time.Duration;

/**
 * Passive health: what real traffic reveals ejects a server for a while, with no probe sent.
 *
 * @param consecutiveFailures connect failures, resets and timeouts in a row that eject a server; 0: never
 * @param consecutive5xx http: 5xx responses in a row that eject a server; 0: never
 * @param baseEjection the first ejection's length; the n-th in a row lasts n times as long
 * @param maxEjection the longest an ejection lasts
 * @param maxEjectedPercent at most this share of a pool's servers is ejected at once, so
 *     passive detection alone never empties a pool
 */
public record OutlierDetection(int consecutiveFailures, int consecutive5xx, Duration baseEjection,
                               Duration maxEjection, int maxEjectedPercent) {

    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    public static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_EJECTED_PERCENT = 50;
    public static final OutlierDetection DEFAULTS = new OutlierDetection(DEFAULT_CONSECUTIVE_FAILURES, 0,
            DEFAULT_BASE_EJECTION, DEFAULT_MAX_EJECTION, DEFAULT_MAX_EJECTED_PERCENT);
    public static final OutlierDetection OFF = new OutlierDetection(0, 0, DEFAULT_BASE_EJECTION,
            DEFAULT_MAX_EJECTION, DEFAULT_MAX_EJECTED_PERCENT);

    public boolean enabled() {
        return consecutiveFailures > 0 || consecutive5xx > 0;
    }
}
