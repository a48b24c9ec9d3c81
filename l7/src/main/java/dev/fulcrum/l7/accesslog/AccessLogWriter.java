package dev.fulcrum.l7.accesslog;

import io.netty.util.internal.PlatformDependent;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log lines for any number of event loops on a thread of its own, so that a
 * slow disk never stalls the data path. Event loops hand records over through a bounded,
 * lock-free queue; when it is full the record is dropped (and the caller counts it) rather
 * than waited for.
 *
 * <p>A writer may be shared by the snapshots of a reload (the same file in the same format):
 * each user beyond the first {@link #retain()}s it, and it closes when the last user
 * {@link #close()}s it.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    static final int CAPACITY = 64 * 1024;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int FLUSH_EVERY = 256;

    private final String target;
    private final AccessLogFormatter formatter;
    private final Queue<AccessRecord> queue = PlatformDependent.newFixedMpscQueue(CAPACITY);
    private final Writer out;
    private final Thread thread;
    /** Users that have not closed it yet: the opener, and one per {@link #retain()}. */
    private final AtomicInteger users = new AtomicInteger(1);
    private volatile boolean closing;

    private AccessLogWriter(String target, AccessLogFormatter formatter, Writer out) {
        this.target = target;
        this.formatter = formatter;
        this.out = out;
        this.thread = new Thread(this::run, "fulcrum-access-log");
        this.thread.setDaemon(true);
    }

    /** Opens the file for appending (creating it) or uses standard output, and starts writing. */
    public static AccessLogWriter open(Optional<Path> path, AccessLogFormatter formatter) throws IOException {
        OutputStream stream = path.isPresent() ? new FileOutputStream(path.get().toFile(), true) : System.out;
        Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
        AccessLogWriter logWriter = new AccessLogWriter(path.map(Path::toString).orElse("stdout"), formatter, writer);
        logWriter.thread.start();
        return logWriter;
    }

    /** Hands a record over; false when the queue is full or the writer closed (the record is dropped). */
    public boolean offer(AccessRecord record) {
        return !closing && queue.offer(record);
    }

    public String target() {
        return target;
    }

    private void run() {
        StringBuilder line = new StringBuilder(256);
        int sinceFlush = 0;
        while (true) {
            AccessRecord record = queue.poll();
            if (record == null) {
                if (sinceFlush > 0) {
                    flush();
                    sinceFlush = 0;
                }
                if (closing) {
                    break;
                }
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            line.setLength(0);
            formatter.format(record, line);
            try {
                out.append(line);
            } catch (IOException e) {
                LOG.warn("access log {}: cannot write: {}", target, e.toString());
            }
            if (++sinceFlush >= FLUSH_EVERY) {
                flush();
                sinceFlush = 0;
            }
        }
        if (!target.equals("stdout")) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("access log {}: cannot close: {}", target, e.toString());
            }
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.warn("access log {}: cannot flush: {}", target, e.toString());
        }
    }

    /**
     * Takes one more use of this writer, to be given back with {@link #close()}.
     *
     * @return false when it has closed already (or is closing): open another
     */
    public boolean retain() {
        for (;;) {
            int now = users.get();
            if (now == 0) {
                return false;
            }
            if (users.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /**
     * Gives back one use. The last writes what was handed over, then closes the file; it
     * waits for that at most a few seconds.
     */
    @Override
    public void close() {
        int left = users.updateAndGet(n -> Math.max(0, n - 1));
        if (left > 0 || closing) {
            return;
        }
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
