package dev.fulcrum.health;

import static dev.fulcrum.lbcore.metrics.MetricNames.FAIL;
import static dev.fulcrum.lbcore.metrics.MetricNames.HEALTH_CHECKS;
import static dev.fulcrum.lbcore.metrics.MetricNames.HEALTH_CHECK_DURATION;
import static dev.fulcrum.lbcore.metrics.MetricNames.PASS;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_POOL;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_RESULT;
import static dev.fulcrum.lbcore.metrics.MetricNames.TAG_SERVER;

import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.pool.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one server's checks, registered once when the checks start: a counter per
 * result and a timer with a few fixed buckets (checks are few, so no percentile histogram).
 */
final class CheckMeters {

    /** Bucket bounds of {@code fulcrum.health.check.duration}: from a local answer to a slow one. */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(10),
    };

    private final Counter passed;
    private final Counter failed;
    private final Timer duration;

    /** @param meters the scope of the checks these meters belong to: they leave with the last checks of the server */
    CheckMeters(MeterScope meters, Server server) {
        Tags tags = Tags.of(TAG_POOL, server.pool(), TAG_SERVER, server.name());
        passed = counter(meters, tags, PASS);
        failed = counter(meters, tags, FAIL);
        duration = meters.register(Timer.builder(HEALTH_CHECK_DURATION)
                .description("Time an active health check took, from connecting to the verdict")
                .tags(tags)
                .serviceLevelObjectives(BUCKETS)::register);
    }

    private static Counter counter(MeterScope meters, Tags tags, String result) {
        return meters.register(Counter.builder(HEALTH_CHECKS)
                .description("Active health checks run, by result")
                .tags(tags).tag(TAG_RESULT, result)::register);
    }

    void record(CheckResult result, long nanos) {
        (result.passed() ? passed : failed).increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }
}
