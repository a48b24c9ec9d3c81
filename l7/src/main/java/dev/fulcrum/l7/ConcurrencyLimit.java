package dev.fulcrum.l7;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route's {@code limits.concurrent_requests}: requests in flight on it at once, across all
 * connections and event loops. One atomic, taken when a request is routed, given back when its
 * exchange ends however it ends.
 */
final class ConcurrencyLimit {

    static final ConcurrencyLimit NONE = new ConcurrencyLimit(0);

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** @param max 0: no limit */
    ConcurrencyLimit(int max) {
        this.max = max;
    }

    /** @return false when the route already has {@code max} requests in flight */
    boolean tryAcquire() {
        if (max == 0) {
            return true;
        }
        if (inFlight.incrementAndGet() > max) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        if (max != 0) {
            inFlight.decrementAndGet();
        }
    }

    int inFlight() {
        return inFlight.get();
    }
}
