package dev.fulcrum.l7;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timeout of one connection, confined to its event loop. Re-arming only moves a deadline:
 * the scheduled task is reused and, when it fires early, sleeps again for the remainder (as
 * Netty's IdleStateHandler does), so arming per read or per request allocates nothing.
 */
final class Deadline implements Runnable {

    private final EventExecutor loop;
    private final Runnable onExpiry;
    private long deadlineNanos;
    private boolean armed;
    private ScheduledFuture<?> task;
    private long taskDueNanos;

    Deadline(EventExecutor loop, Runnable onExpiry) {
        this.loop = loop;
        this.onExpiry = onExpiry;
    }

    /** Expires {@code timeoutNanos} from now unless disarmed or re-armed before. */
    void arm(long timeoutNanos) {
        deadlineNanos = System.nanoTime() + timeoutNanos;
        armed = true;
        if (task != null && taskDueNanos - deadlineNanos > 0) {
            // Due after the new deadline: it would fire late.
            task.cancel(false);
            task = null;
        }
        if (task == null) {
            schedule(timeoutNanos);
        }
    }

    void disarm() {
        armed = false;
    }

    boolean isArmed() {
        return armed;
    }

    /** Disarms and drops the scheduled task: the connection is gone. */
    void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            schedule(left);
            return;
        }
        armed = false;
        onExpiry.run();
    }

    private void schedule(long delayNanos) {
        taskDueNanos = System.nanoTime() + delayNanos;
        task = loop.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }
}
