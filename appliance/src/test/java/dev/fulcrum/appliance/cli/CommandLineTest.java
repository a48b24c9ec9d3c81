package dev.fulcrum.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void versionNamesFulcrumAndJava() {
        CliRun run = CliRun.of("version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("fulcrum " + VersionProvider.version()).contains("Java ");
        assertThat(VersionProvider.version()).isNotBlank().doesNotContain("${");
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing subcommand").contains("validate").contains("route");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(CliRun.of("validate", "--frobnicate", "x.yaml").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("route", "only-a-file.yaml").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("launch").exitCode()).isEqualTo(2);
    }

    @Test
    void helpIsNotAnError() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("run").contains("validate").contains("route").contains("version");
    }

    @Test
    void runWithAnInvalidFileStartsNothingAndExitsOne() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "listeners: []\nbogus: 1\n");

        CliRun run = CliRun.of("run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(file + ":2:1").contains("nothing started");
    }
}
