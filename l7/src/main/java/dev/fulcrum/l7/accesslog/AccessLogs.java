package dev.fulcrum.l7.accesslog;

import dev.fulcrum.config.AccessLogConfig;
import dev.fulcrum.config.ListenerConfig;
import dev.fulcrum.lbcore.metrics.MeterScope;
import dev.fulcrum.lbcore.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The access logs of one configuration snapshot: one per listener that asks for it, one
 * writer thread per file however many listeners share it.
 *
 * <p>A reload hands the writers over: a file the next snapshot writes in the same format keeps
 * its writer, so exchanges that started on the old snapshot and end after it closed still get
 * their line written (a writer closes with the last snapshot using it).
 */
public final class AccessLogs implements AutoCloseable {

    private final Map<String, AccessLog> byListener;
    private final Map<String, AccessLogWriter> writers;
    private final Map<String, AccessLogConfig> configs;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AccessLogs(Map<String, AccessLog> byListener, Map<String, AccessLogWriter> writers,
                       Map<String, AccessLogConfig> configs) {
        this.byListener = byListener;
        this.writers = writers;
        this.configs = configs;
    }

    /** Opens every file the listeners name; on failure, closes what it opened. */
    public static AccessLogs open(List<ListenerConfig> listeners, MeterRegistry registry) {
        return open(listeners, MeterScope.open(registry), null);
    }

    /**
     * Opens every file the listeners name, taking over the writers of {@code previous} for the
     * files it already writes in the same format; on failure, gives back what it took.
     *
     * @param meters the scope of the snapshot these logs belong to
     * @param previous the access logs of the snapshot being replaced, still open; or null
     */
    public static AccessLogs open(List<ListenerConfig> listeners, MeterScope meters, AccessLogs previous) {
        Map<String, AccessLog> byListener = new HashMap<>();
        Map<String, AccessLogWriter> writers = new LinkedHashMap<>();
        Map<String, AccessLogConfig> configs = new HashMap<>();
        try {
            for (ListenerConfig listener : listeners) {
                if (listener.accessLog().isEmpty()) {
                    continue;
                }
                AccessLogConfig config = listener.accessLog().get();
                AccessLogWriter writer = writers.get(config.target());
                if (writer == null) {
                    writer = previous == null ? null : previous.handOver(config);
                    if (writer == null) {
                        writer = AccessLogWriter.open(config.path(), AccessLogFormatter.of(config.format()));
                    }
                    writers.put(config.target(), writer);
                    configs.put(config.target(), config);
                }
                Counter dropped = meters.register(Counter.builder(MetricNames.ACCESS_LOG_DROPPED)
                        .description("Access log lines dropped because the writer could not keep up")
                        .tag(MetricNames.TAG_LISTENER, listener.name())::register);
                byListener.put(listener.name(), new AccessLog(writer, dropped));
            }
        } catch (IOException e) {
            writers.values().forEach(AccessLogWriter::close);
            throw new UncheckedIOException("cannot open access log: " + e.getMessage(), e);
        }
        return new AccessLogs(byListener, writers, configs);
    }

    /** This snapshot's writer of that file, retained for another snapshot, when it writes the same format. */
    private AccessLogWriter handOver(AccessLogConfig config) {
        AccessLogWriter writer = writers.get(config.target());
        if (writer == null || !config.equals(configs.get(config.target())) || !writer.retain()) {
            return null;
        }
        return writer;
    }

    /** The listener's access log, or null when it has none. */
    public AccessLog forListener(String listener) {
        return byListener.get(listener);
    }

    /** Gives the writers back: those no other snapshot uses write out what was handed over and close their files. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writers.values().forEach(AccessLogWriter::close);
        }
    }
}
