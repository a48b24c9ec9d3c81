package dev.fulcrum.l7.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.config.AccessLogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {

    @TempDir
    Path dir;

    private static AccessRecord record(int i) {
        return new AccessRecord(0, 0, "192.0.2.7", "GET", "/" + i, "HTTP/1.1", null, 200, 0, null, null,
                "web", "r", "p", "s");
    }

    @Test
    void linesReachTheFileWithoutClosingItAndAllOfThemOnClose() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogWriter writer = AccessLogWriter.open(Optional.of(file),
                AccessLogFormatter.of(AccessLogConfig.Format.COMBINED));
        try {
            assertThat(writer.offer(record(1))).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && Files.readAllLines(file).size() == 1);
            for (int i = 2; i <= 1000; i++) {
                assertThat(writer.offer(record(i))).isTrue();
            }
        } finally {
            writer.close();
        }
        assertThat(Files.readAllLines(file)).hasSize(1000).last().asString().contains("\"GET /1000 HTTP/1.1\"");
    }

    @Test
    void aClosedWriterRefusesRecordsSoTheyAreCountedAsDropped() throws Exception {
        AccessLogWriter writer = AccessLogWriter.open(Optional.of(dir.resolve("a.log")),
                AccessLogFormatter.of(AccessLogConfig.Format.JSON));
        writer.close();

        assertThat(writer.offer(record(1))).isFalse();
    }

    @Test
    void theFileIsAppendedToNotTruncated() throws Exception {
        Path file = Files.writeString(dir.resolve("old.log"), "an old line\n");
        AccessLogWriter writer = AccessLogWriter.open(Optional.of(file),
                AccessLogFormatter.of(AccessLogConfig.Format.COMBINED));
        writer.offer(record(1));
        writer.close();

        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("an old line");
    }
}
