package dev.fulcrum.l7;

import static dev.fulcrum.lbcore.metrics.MetricNames.HTTP_REQUESTS;
import static dev.fulcrum.lbcore.metrics.MetricNames.HTTP_REQUEST_DURATION;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_CODE;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_LISTENER;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_POOL;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_ROUTE;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_SERVER;

import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one (listener, route, pool, server): a request counter per status class and
 * a duration timer. Registered once when the snapshot is built, in the snapshot's scope (they
 * leave the registry with the last snapshot using them); recording is a field access.
 */
final class RequestMeters {

    /**
     * Bucket bounds of {@code fulcrum_http_request_duration_seconds}, 1 ms to 60 s: a fixed set,
     * so each (listener, route, pool, server) series has 17 buckets (with +Inf) rather than the
     * 70-odd of a percentile histogram. {@code histogram_quantile} works on any bounds.
     */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60),
    };

    private final Counter[] byStatusClass = new Counter[5];
    private final Timer duration;
    // Who answered, for the access log: the same names the meters are tagged with.
    final String listener;
    final String route;
    final String pool;
    final String server;

    RequestMeters(MeterScope meters, String listener, String route, String pool, String server) {
        this.listener = listener;
        this.route = route;
        this.pool = pool;
        this.server = server;
        Tags tags = Tags.of(TAG_LISTENER, listener, TAG_ROUTE, route, TAG_POOL, pool, TAG_SERVER, server);
        for (int i = 0; i < byStatusClass.length; i++) {
            byStatusClass[i] = meters.register(Counter.builder(HTTP_REQUESTS)
                    .description("HTTP requests answered, by status class")
                    .tags(tags).tag(TAG_CODE, MetricNames.codeClass((i + 1) * 100))::register);
        }
        duration = meters.register(Timer.builder(HTTP_REQUEST_DURATION)
                .description("Time from the request head to the last byte of the response")
                .tags(tags)
                .serviceLevelObjectives(BUCKETS)::register);
    }

    void record(int status, long nanos) {
        int statusClass = status / 100 - 1;
        if (statusClass >= 0 && statusClass < byStatusClass.length) {
            byStatusClass[statusClass].increment();
        }
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }
}
