package dev.fulcrum.l4;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a relayed connection after {@code idle_timeout} without a byte either way. Every byte
 * relayed was first read by one of the two channels, so their read meters tell the last
 * activity; one timer per connection is re-armed for the time left, rather than touched per read.
 */
final class IdleWatch implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IdleWatch.class);

    private final TcpSession session;
    private final ReadMeter clientReads;
    private final ReadMeter backendReads;
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    private IdleWatch(TcpSession session, ReadMeter clientReads, ReadMeter backendReads, long timeoutNanos) {
        this.session = session;
        this.clientReads = clientReads;
        this.backendReads = backendReads;
        this.timeoutNanos = timeoutNanos;
    }

    /** Starts watching; the timer goes when the client channel closes. Call on the event loop. */
    static void start(TcpSession session, ReadMeter clientReads, ReadMeter backendReads, long timeoutNanos) {
        IdleWatch watch = new IdleWatch(session, clientReads, backendReads, timeoutNanos);
        Channel client = session.client();
        watch.arm(timeoutNanos);
        client.closeFuture().addListener(closed -> watch.timer.cancel(false));
    }

    private void arm(long delayNanos) {
        timer = session.client().eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        if (!session.client().isOpen()) {
            return;
        }
        long last = Math.max(clientReads.lastReadNanos(), backendReads.lastReadNanos());
        long idle = System.nanoTime() - last;
        if (idle >= timeoutNanos) {
            LOG.debug("idle connection {} closed", session.client());
            session.close();
        } else {
            arm(timeoutNanos - idle);
        }
    }
}
