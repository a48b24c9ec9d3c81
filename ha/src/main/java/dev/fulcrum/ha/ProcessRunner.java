package dev.fulcrum.ha;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands as processes bounded in time. Output goes to a scratch file, not a pipe: a chatty
 * command cannot fill a pipe and stall, and a daemon it forks cannot hold the reader open.
 */
final class ProcessRunner implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
    private static final int LOGGED_OUTPUT = 2048;

    private final Duration timeout;

    ProcessRunner(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public boolean run(List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("fulcrum-command", ".out");
            Process process = start(command, output);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                LOG.error("{} did not finish within {}", command, timeout);
                return false;
            }
            return report(command, process.exitValue(), output);
        } catch (IOException e) {
            LOG.error("{} could not run: {}", command, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            deleteQuietly(output);
        }
    }

    @Override
    public void spawn(List<String> command) {
        try {
            Path output = Files.createTempFile("fulcrum-command", ".out");
            Process process = start(command, output);
            process.onExit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((done, failure) -> {
                if (failure instanceof TimeoutException) {
                    process.destroyForcibly();
                    LOG.error("{} did not finish within {}", command, timeout);
                } else if (done != null) {
                    report(command, done.exitValue(), output);
                }
                deleteQuietly(output);
            });
        } catch (IOException e) {
            LOG.error("{} could not run: {}", command, e.getMessage());
        }
    }

    private static Process start(List<String> command, Path output) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static boolean report(List<String> command, int exit, Path output) {
        String text = tail(output);
        if (exit != 0) {
            LOG.error("{} exited {}{}", command, exit, text.isEmpty() ? "" : ": " + text);
            return false;
        }
        LOG.info("{}: ok{}", command, text.isEmpty() ? "" : ": " + text);
        return true;
    }

    /** The end of the output: what a failing command said last is what explains it. */
    private static String tail(Path output) {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long start = Math.max(0, file.length() - LOGGED_OUTPUT);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A scratch file in the temp directory; nothing depends on it.
            }
        }
    }
}
