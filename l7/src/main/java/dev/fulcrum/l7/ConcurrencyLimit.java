package dev.fulcrum.l7;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route's {@code limits.concurrent_requests}: requests in flight on it at once, across all
 * connections and event loops. One atomic, taken when a request is routed, given back when its
 * exchange ends however it ends.
 *
 * <p>The count outlives a reload: the route of the same listener and name in the next snapshot
 * shares it ({@link #carriedOver}), so requests still running on the old snapshot count against
 * the new limit, and end there.
 */
final class ConcurrencyLimit {

    static final ConcurrencyLimit NONE = new ConcurrencyLimit(0);

    private final int max;
    private final AtomicInteger inFlight;

    /** @param max 0: no limit */
    ConcurrencyLimit(int max) {
        this(max, new AtomicInteger());
    }

    private ConcurrencyLimit(int max, AtomicInteger inFlight) {
        this.max = max;
        this.inFlight = inFlight;
    }

    /**
     * The limit of a route in a new snapshot.
     *
     * @param previous the same route's limit in the snapshot being replaced, or null when it
     *     had no such route
     * @param max the new limit; 0: none
     * @return {@link #NONE} without a limit; else a limit of {@code max} sharing the previous
     *     one's requests in flight, when it had a limit too
     */
    static ConcurrencyLimit carriedOver(ConcurrencyLimit previous, int max) {
        if (max == 0) {
            return NONE;
        }
        if (previous == null || previous.max == 0) {
            return new ConcurrencyLimit(max);
        }
        return new ConcurrencyLimit(max, previous.inFlight);
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

    int max() {
        return max;
    }

    int inFlight() {
        return inFlight.get();
    }
}
