package dev.fulcrum.l7.accesslog;

import dev.fulcrum.config.AccessLogConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The access logs of one configuration snapshot: one per listener that asks for it, one
 * writer thread per file however many listeners share it.
 */
public final class AccessLogs implements AutoCloseable {

    private final Map<String, AccessLog> byListener;
    private final Map<String, AccessLogWriter> writers;

    private AccessLogs(Map<String, AccessLog> byListener, Map<String, AccessLogWriter> writers) {
        this.byListener = byListener;
        this.writers = writers;
    }

    /** Opens every file the listeners name; on failure, closes what it opened. */
    public static AccessLogs open(List<ListenerConfig> listeners, MeterRegistry registry) {
        Map<String, AccessLog> byListener = new HashMap<>();
        Map<String, AccessLogWriter> writers = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : listeners) {
                if (listener.accessLog().isEmpty()) {
                    continue;
                }
                AccessLogConfig config = listener.accessLog().get();
                AccessLogWriter writer = writers.get(config.target());
                if (writer == null) {
                    writer = AccessLogWriter.open(config.path(), AccessLogFormatter.of(config.format()));
                    writers.put(config.target(), writer);
                }
                Counter dropped = Counter.builder(MetricNames.ACCESS_LOG_DROPPED)
                        .description("Access log lines dropped because the writer could not keep up")
                        .tag(MetricNames.TAG_LISTENER, listener.name())
                        .register(registry);
                byListener.put(listener.name(), new AccessLog(writer, dropped));
            }
        } catch (IOException e) {
            writers.values().forEach(AccessLogWriter::close);
            throw new UncheckedIOException("cannot open access log: " + e.getMessage(), e);
        }
        return new AccessLogs(byListener, writers);
    }

    /** The listener's access log, or null when it has none. */
    public AccessLog forListener(String listener) {
        return byListener.get(listener);
    }

    /** Writes out what was handed over and closes the files. */
    @Override
    public void close() {
        writers.values().forEach(AccessLogWriter::close);
    }
}
