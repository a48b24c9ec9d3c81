package dev.fulcrum.ha;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one external command (an argument list, no shell) and says whether it succeeded. */
@FunctionalInterface
public interface CommandRunner {

    /** @return true when the command exited 0 within its time */
    boolean run(List<String> command);

    /** Runs real processes, each bounded by {@code timeout}; output goes to the log. */
    static CommandRunner processes(Duration timeout) {
        Logger log = LoggerFactory.getLogger(CommandRunner.class);
        return command -> {
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    log.error("{} did not finish within {}", command, timeout);
                    return false;
                }
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (process.exitValue() != 0) {
                    log.error("{} exited {}: {}", command, process.exitValue(), output);
                    return false;
                }
                log.info("{}: ok{}", command, output.isEmpty() ? "" : ": " + output);
                return true;
            } catch (IOException e) {
                log.error("{} could not run: {}", command, e.getMessage());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }
}
