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
}
