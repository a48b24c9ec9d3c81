package dev.fulcrum.lbcore.pool;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Connections waiting for a server of one pool while every server is at its
 * {@code max_connections} (HAProxy's queue, Envoy's pending requests). Event loops share it
 * without a lock: a concurrent deque and an atomic count. When a server connection closes, the
 * oldest waiter is woken on its own event loop to pick again.
 *
 * <p>Each waiter is claimed exactly once, by a wake-up or by its timeout, whichever comes first;
 * the one that claims it uncounts it.
 */
public final class ConnectionQueue {

    /** A queue nobody may wait in: callers refuse at once. */
    public static final ConnectionQueue NONE = new ConnectionQueue(0, Duration.ofSeconds(1), () -> false);

    private final int capacity;
    private final long timeoutNanos;
    private final BooleanSupplier hasRoom;
    private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param capacity most waiters at once; 0: nobody waits
     * @param hasRoom true when some server could take a connection now; checked after a waiter
     *     joins, so a connection that closed while it was joining does not leave it stranded
     */
    public ConnectionQueue(int capacity, Duration timeout, BooleanSupplier hasRoom) {
        if (capacity < 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("queue capacity must be >= 0 and timeout > 0");
        }
        this.capacity = capacity;
        this.timeoutNanos = timeout.toNanos();
        this.hasRoom = hasRoom;
    }

    /** The {@link System#nanoTime()} by which a connection starting to wait now must have a server. */
    public long deadlineFromNow() {
        return System.nanoTime() + timeoutNanos;
    }

    /**
     * Waits for room at the tail of the queue.
     *
     * @param executor where {@code retry} and {@code expired} run: the connection's event loop
     * @param deadlineNanos from {@link #deadlineFromNow()}
     * @param retry runs when a server connection closed; it picks again, and may {@link #awaitAgain}
     * @param expired runs when the deadline passed first
     * @return false when the queue is full (or takes nobody): refuse the connection
     */
    public boolean await(EventExecutor executor, long deadlineNanos, Runnable retry, Runnable expired) {
        return join(new Waiter(executor, retry, expired, deadlineNanos), false);
    }

    /**
     * A woken waiter found no room after all (another connection took it first): back to the
     * head of the queue, keeping its deadline.
     *
     * @return false when its deadline has passed or the queue is full
     */
    public boolean awaitAgain(EventExecutor executor, long deadlineNanos, Runnable retry, Runnable expired) {
        return join(new Waiter(executor, retry, expired, deadlineNanos), true);
    }

    private boolean join(Waiter waiter, boolean first) {
        long remaining = waiter.deadlineNanos - System.nanoTime();
        if (capacity == 0 || remaining <= 0) {
            return false;
        }
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            return false;
        }
        waiter.timer = waiter.executor.schedule(() -> expire(waiter), remaining, TimeUnit.NANOSECONDS);
        if (first) {
            waiters.addFirst(waiter);
        } else {
            waiters.addLast(waiter);
        }
        if (hasRoom.getAsBoolean()) {
            roomFreed();
        }
        return true;
    }

    private void expire(Waiter waiter) {
        if (waiter.claim()) {
            waiters.remove(waiter);
            waiting.decrementAndGet();
            waiter.expired.run();
        }
    }

    /** A server connection closed (or a server came back): the oldest waiter tries again. */
    public void roomFreed() {
        if (waiting.get() == 0) {
            return;
        }
        for (Waiter waiter; (waiter = waiters.pollFirst()) != null; ) {
            if (waiter.claim()) {
                waiting.decrementAndGet();
                waiter.timer.cancel(false);
                waiter.executor.execute(waiter.retry);
                return;
            }
        }
    }

    /**
     * Wakes the oldest waiter of that event loop, if there is one: a connection released there
     * can serve it as it is, where closing it would only have freed room for someone.
     *
     * @return false when nobody waits on that loop
     */
    public boolean wakeOneOn(EventExecutor executor) {
        if (waiting.get() == 0) {
            return false;
        }
        for (Waiter waiter : waiters) {
            if (waiter.executor == executor && waiter.claim()) {
                waiters.remove(waiter);
                waiting.decrementAndGet();
                waiter.timer.cancel(false);
                executor.execute(waiter.retry);
                return true;
            }
        }
        return false;
    }

    /** Connections waiting now. */
    public int waiting() {
        return waiting.get();
    }

    public int capacity() {
        return capacity;
    }

    /** One waiting connection. */
    private static final class Waiter {
        final EventExecutor executor;
        final Runnable retry;
        final Runnable expired;
        final long deadlineNanos;
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile Future<?> timer;

        Waiter(EventExecutor executor, Runnable retry, Runnable expired, long deadlineNanos) {
            this.executor = executor;
            this.retry = retry;
            this.expired = expired;
            this.deadlineNanos = deadlineNanos;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }
}
