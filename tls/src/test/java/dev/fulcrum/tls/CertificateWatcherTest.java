package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateWatcherTest {

    private static final Duration PERIOD = Duration.ofMillis(50);

    @TempDir
    Path dir;

    @Test
    void callsBackOnceWhenFilesChange() throws Exception {
        Path cert = Files.writeString(dir.resolve("site.crt"), "one");
        Path key = Files.writeString(dir.resolve("site.key"), "one");
        AtomicInteger changes = new AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();
        CertificateWatcher watcher = CertificateWatcher.start(PERIOD, () -> {
            changes.incrementAndGet();
            threads.add(Thread.currentThread().getName());
        }, List.of(cert, key));
        try {
            // Both files of a renewal changed between two polls: one call.
            Instant later = Instant.now().plusSeconds(5);
            Files.writeString(cert, "two");
            Files.writeString(key, "two");
            Files.setLastModifiedTime(cert, FileTime.from(later));
            Files.setLastModifiedTime(key, FileTime.from(later));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() >= 1);
            // A few quiet polls: no more calls.
            long polls = 4;
            await().pollDelay(PERIOD.multipliedBy(polls)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(changes.get()).isEqualTo(1));
            assertThat(threads).containsExactly("fulcrum-certificate-watcher");

            // Same size, new modification time: a change.
            Files.setLastModifiedTime(key, FileTime.from(later.plusSeconds(5)));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 2);

            // Deleted, then back.
            Files.delete(cert);
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 3);
            Files.writeString(cert, "three");
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 4);
        } finally {
            watcher.close();
        }
    }

    @Test
    void aFailingCallbackDoesNotStopTheWatcher() throws Exception {
        Path cert = Files.writeString(dir.resolve("site.crt"), "one");
        AtomicInteger calls = new AtomicInteger();
        try (LogCapture log = new LogCapture(CertificateWatcher.class)) {
            CertificateWatcher watcher = CertificateWatcher.start(PERIOD, () -> {
                calls.incrementAndGet();
                throw new IllegalStateException("reload failed");
            }, List.of(cert));
            try {
                Files.writeString(cert, "two!");
                await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
                Files.writeString(cert, "three!!");
                await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);
            } finally {
                watcher.close();
            }
            assertThat(log.lines()).containsExactly("ERROR certificate change handler failed",
                    "ERROR certificate change handler failed");
        }
    }

    @Test
    void stopsWhenClosed() throws Exception {
        Path cert = Files.writeString(dir.resolve("site.crt"), "one");
        AtomicInteger calls = new AtomicInteger();
        CertificateWatcher.start(PERIOD, calls::incrementAndGet, List.of(cert)).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("fulcrum-certificate-watcher") && t.isAlive()));
        Files.writeString(cert, "changed");
        await().pollDelay(PERIOD.multipliedBy(4)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(calls.get()).isZero());
    }
}
