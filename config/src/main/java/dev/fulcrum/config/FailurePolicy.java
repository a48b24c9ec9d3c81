package dev.fulcrum.config;

import java.time.Duration;

/**
 * How a pool treats servers that fail and come back.
 *
 * @param slowStart a server coming back (up again, enabled, no longer ejected) ramps its weight
 *     from a little to all of it over this long; zero: at once. Applies to round_robin,
 *     least_conn and random; hashing keeps its table stable instead.
 * @param panicWhenAllDown when no server of the pool is up: true sends traffic to every enabled
 *     server anyway (Envoy's panic mode); false refuses it at once (503, or a closed connection)
 * @param outlier passive ejection from what traffic reveals
 */
public record FailurePolicy(Duration slowStart, boolean panicWhenAllDown, OutlierDetection outlier) {

    public static final FailurePolicy DEFAULTS = new FailurePolicy(Duration.ZERO, false, OutlierDetection.DEFAULTS);
}
