package dev.fulcrum.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls certificate, key and OCSP files and says when any changed, so renewed certificates are
 * picked up without a restart. Polling rather than a file-system watch: it sees files replaced
 * through symlinks (Kubernetes secrets, certbot's live/ directory) and works on every file system.
 * The callback runs on the watcher's own daemon thread, never on an event loop.
 */
public final class CertificateWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

    /** What a poll notices: a file's modification time and size, or that it is missing. */
    private record Stamp(FileTime modified, long size) {
        static final Stamp MISSING = new Stamp(FileTime.fromMillis(0), -1);
    }

    private final List<Path> files;
    private final Runnable onChange;
    private final ScheduledExecutorService executor;
    private final Map<Path, Stamp> stamps = new LinkedHashMap<>();

    private CertificateWatcher(Duration period, Runnable onChange, Collection<Path> files) {
        this.files = List.copyOf(files);
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        for (Path file : this.files) {
            stamps.put(file, stamp(file));
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "fulcrum-certificate-watcher");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, period.toMillis());
        executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    public static CertificateWatcher start(Duration period, Runnable onChange, Collection<Path> files) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return new CertificateWatcher(period, onChange, files);
    }

    /** One round: compare every file, call back once if any changed (a renewal touches several). */
    private void poll() {
        boolean changed = false;
        for (Path file : files) {
            Stamp now = stamp(file);
            if (!now.equals(stamps.put(file, now))) {
                changed = true;
            }
        }
        if (changed) {
            try {
                onChange.run();
            } catch (RuntimeException e) {
                // The watcher must survive a failed reload: the next change may fix the files.
                LOG.error("certificate change handler failed", e);
            }
        }
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size());
        } catch (IOException e) {
            return Stamp.MISSING;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
