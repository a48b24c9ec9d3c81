package dev.fulcrum.l7.accesslog;

import io.micrometer.core.instrument.Counter;

/** One listener's access log: where its records go, and the count of those dropped on the way. */
public final class AccessLog {

    private final AccessLogWriter writer;
    private final Counter dropped;

    public AccessLog(AccessLogWriter writer, Counter dropped) {
        this.writer = writer;
        this.dropped = dropped;
    }

    public void log(AccessRecord record) {
        if (!writer.offer(record)) {
            dropped.increment();
        }
    }

    /**
     * Holds the writer open for one exchange, however long it outlasts its snapshot (even when a
     * reload moved the listener's log elsewhere); give it back with {@link #release()}.
     *
     * @return false when the writer is closing already: log nothing then
     */
    public boolean retain() {
        return writer.retain();
    }

    public void release() {
        writer.close();
    }
}
