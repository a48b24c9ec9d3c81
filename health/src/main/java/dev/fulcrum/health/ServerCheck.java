package dev.fulcrum.health;

import dev.fulcrum.config.HealthCheckConfig;
import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The checks of one server, one at a time on one event loop: the next check starts
 * {@code interval} plus a random part of {@code jitter} after the previous one ended, so
 * checks never overlap however slow the server is; the first starts after a random part of
 * the interval, so servers checked together do not stay in step. Each result goes to the
 * meters and to {@link RiseFall}, whose verdicts are applied to the server and logged.
 *
 * <p>Its state is confined to the event loop, but for the closed flag, which {@link #stop()}
 * sets from any thread before anything else so that no check starts after it.
 */
final class ServerCheck {

    private final Server server;
    private final EventLoop loop;
    private final ProbeRunner runner;
    private final CheckMeters meters;
    private final RiseFall riseFall;
    private final long intervalNanos;
    private final long jitterNanos;
    private volatile boolean closed;
    private Future<?> next;
    private Future<CheckResult> inFlight;

    ServerCheck(Server server, EventLoop loop, ProbeRunner runner, HealthCheckConfig config, CheckMeters meters) {
        this.server = server;
        this.loop = loop;
        this.runner = runner;
        this.meters = meters;
        this.riseFall = new RiseFall(config.rise(), config.fall());
        this.intervalNanos = config.interval().toNanos();
        this.jitterNanos = config.jitter().toNanos();
    }

    EventLoop loop() {
        return loop;
    }

    void start() {
        loop.execute(() -> scheduleIn(randomUpTo(intervalNanos)));
    }

    /**
     * Stops checking: no check starts after this returns, and the check in progress is
     * cancelled (its connection closed) on the event loop.
     *
     * @return done once the in-progress check was cancelled
     */
    Future<?> stop() {
        closed = true;
        try {
            return loop.submit(this::cancel);
        } catch (RejectedExecutionException e) {
            // The loop is shut down, and closed its channels as it did.
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }
    }

    private void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (inFlight != null) {
            inFlight.cancel(false);
            inFlight = null;
        }
    }

    private void scheduleIn(long delayNanos) {
        if (!closed) {
            next = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        next = null;
        if (closed) {
            return;
        }
        long started = System.nanoTime();
        Future<CheckResult> attempt;
        try {
            attempt = runner.run(loop, server);
        } catch (RuntimeException e) {
            attempt = loop.newSucceededFuture(CheckResult.fail(Failures.describe(e)));
        }
        inFlight = attempt;
        Future<CheckResult> thisAttempt = attempt;
        attempt.addListener(done -> finished(thisAttempt, started));
    }

    private void finished(Future<CheckResult> attempt, long started) {
        if (inFlight == attempt) {
            inFlight = null;
        }
        if (closed || attempt.isCancelled()) {
            return;
        }
        try {
            CheckResult result = attempt.isSuccess() ? attempt.getNow()
                    : CheckResult.fail(Failures.describe(attempt.cause()));
            meters.record(result, System.nanoTime() - started);
            RiseFall.Change change = riseFall.record(result, server.isHealthy());
            if (change != null) {
                apply(change);
            }
            if (result.passed() && server.isHealthy() && server.isEjected()) {
                // As Envoy does: an active check that passes outranks passive detection's verdict, so
                // a server that failed while restarting serves again as soon as it answers its checks.
                server.setEjected(false, "ejection ended: an active health check passed");
            }
        } finally {
            // Whatever went wrong above, the server stays checked.
            scheduleIn(intervalNanos + randomUpTo(jitterNanos));
        }
    }

    /** The transition is logged and counted where every transition is ({@link HealthMetrics}). */
    private void apply(RiseFall.Change change) {
        server.setHealthy(change.up(), change.reason());
    }

    private static long randomUpTo(long bound) {
        return bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);
    }
}
