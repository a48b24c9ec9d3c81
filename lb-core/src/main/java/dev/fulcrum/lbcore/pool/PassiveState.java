package dev.fulcrum.lbcore.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What passive outlier detection counts about one server, shared by the event loops through
 * atomics: failures and 5xx answers in a row, and how many times in a row it was ejected.
 */
public final class PassiveState {

    /** Connect failures, resets and timeouts since the last success. */
    public final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** 5xx answers since the last other answer. */
    public final AtomicInteger consecutive5xx = new AtomicInteger();
    /** Ejections in a row: the next ejection lasts this many base ejection times (plus one). */
    public final AtomicInteger ejections = new AtomicInteger();
    /** {@link System#nanoTime()} when the last ejection ended. */
    public final AtomicLong lastReturnNanos = new AtomicLong();
    /** {@link System#nanoTime()} when the current ejection ends; meaningful while ejected. */
    public final AtomicLong ejectedUntilNanos = new AtomicLong();

    void copyFrom(PassiveState other) {
        ejectedUntilNanos.set(other.ejectedUntilNanos.get());
        consecutiveFailures.set(other.consecutiveFailures.get());
        consecutive5xx.set(other.consecutive5xx.get());
        ejections.set(other.ejections.get());
        lastReturnNanos.set(other.lastReturnNanos.get());
    }
}
