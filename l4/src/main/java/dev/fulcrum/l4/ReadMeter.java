package dev.fulcrum.l4;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Counts the bytes a channel reads and when it last read, by wrapping its receive-buffer
 * allocator: Netty reports every read to the allocator's handle, spliced bytes included, so the
 * buffer relay and the splice relay are measured the same way without touching the bytes.
 * Confined to the channel's event loop.
 */
final class ReadMeter implements RecvByteBufAllocator {

    private final RecvByteBufAllocator delegate;
    private Counter bytes;
    private long uncounted;
    private long lastReadNanos = System.nanoTime();
    private Runnable onDrained;
    private long rounds;

    private ReadMeter(RecvByteBufAllocator delegate) {
        this.delegate = delegate;
    }

    /** A meter for a channel yet to be made, to set as its {@code RECVBUF_ALLOCATOR} option. */
    static ReadMeter withAdaptiveBuffers() {
        return new ReadMeter(new AdaptiveRecvByteBufAllocator());
    }

    /** Meters a channel before its first read. */
    static ReadMeter install(Channel channel) {
        ReadMeter meter = new ReadMeter(channel.config().getRecvByteBufAllocator());
        channel.config().setRecvByteBufAllocator(meter);
        return meter;
    }

    /** From now on bytes go to {@code counter}; those read before (while no server was chosen) too. */
    void countInto(Counter counter) {
        bytes = counter;
        if (uncounted > 0) {
            counter.increment(uncounted);
            uncounted = 0;
        }
    }

    /** {@link System#nanoTime()} of the last read that got bytes, or of the meter's creation. */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /**
     * Runs {@code callback} (once) at the first read attempt that finds nothing at all: the
     * moment a socket whose input has ended is empty. Needed for splice, where Netty reports
     * the end of input when the peer's FIN arrives, not when the data before it has been read.
     */
    void whenDrained(Runnable callback) {
        onDrained = callback;
    }

    /** Rounds of reads so far: how often the channel was found readable and read. */
    long rounds() {
        return rounds;
    }

    private void emptyRead() {
        Runnable callback = onDrained;
        if (callback != null) {
            onDrained = null;
            callback.run();
        }
    }

    private void read(int count) {
        lastReadNanos = System.nanoTime();
        if (bytes != null) {
            bytes.increment(count);
        } else {
            uncounted += count;
        }
    }

    @Override
    public Handle newHandle() {
        return new CountingHandle((ExtendedHandle) delegate.newHandle());
    }

    private final class CountingHandle extends DelegatingHandle implements ExtendedHandle {

        /** Bytes read since Netty began this round of reads (one readiness event). */
        private long roundBytes;

        CountingHandle(ExtendedHandle delegate) {
            super(delegate);
        }

        @Override
        public void reset(ChannelConfig config) {
            super.reset(config);
            roundBytes = 0;
            rounds++;
        }

        @Override
        public void lastBytesRead(int count) {
            super.lastBytesRead(count);
            if (count > 0) {
                roundBytes += count;
                read(count);
            } else if (roundBytes == 0) {
                // A whole round found nothing; within a round a 0 may only mean a full pipe.
                emptyRead();
            }
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
