package dev.fulcrum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
            // Staged first (same sizes, so a later time tells them apart), then swapped in together.
            Path nextCert = Files.setLastModifiedTime(Files.writeString(dir.resolve("site.crt.next"), "two"),
                    FileTime.from(later));
            Path nextKey = Files.setLastModifiedTime(Files.writeString(dir.resolve("site.key.next"), "two"),
                    FileTime.from(later));
            Files.move(nextCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(nextKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
            replace(cert, "three");
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
                replace(cert, "two!");
                await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
                replace(cert, "three!!");
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
        replace(cert, "changed");
        await().pollDelay(PERIOD.multipliedBy(4)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(calls.get()).isZero());
    }

    /**
     * Swaps in new content whole, as a renewal should: written in place, a poll could see the
     * file empty between truncation and write, and count two changes.
     */
    private static void replace(Path file, String content) throws Exception {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
