package dev.fulcrum.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {

    private final CommandRunner runner = CommandRunner.processes(Duration.ofSeconds(10));

    @Test
    void realProcessesRunAndFailuresAreReported(@TempDir Path dir) {
        Path marker = dir.resolve("ran");
        assertThat(runner.run(List.of("touch", marker.toString()))).isTrue();
        assertThat(Files.exists(marker)).isTrue();
        assertThat(runner.run(List.of("false"))).isFalse();
        assertThat(runner.run(List.of("no-such-command-anywhere"))).isFalse();
    }

    @Test
    void aChattyCommandDoesNotStallOnItsOutput() {
        // 1 MiB of output: more than a pipe holds, so a runner reading only after the exit would hang.
        assertThat(runner.run(List.of("head", "-c", "1048576", "/dev/zero"))).isTrue();
    }

    @Test
    void aCommandOverItsTimeIsKilledAndFails() {
        assertThat(CommandRunner.processes(Duration.ofMillis(200)).run(List.of("sleep", "30"))).isFalse();
    }

    @Test
    void spawnedCommandsRunWithoutBeingAwaited(@TempDir Path dir) {
        Path marker = dir.resolve("spawned");
        runner.spawn(List.of("sh", "-c", "sleep 0.2; touch \"$0\"", marker.toString()));
        assertThat(Files.exists(marker)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
    }
}
