package dev.fulcrum.appliance.http2;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the curl command line as a client would: one process per request, bounded in time, the
 * body written to a file and {@code %{http_version} %{response_code}} to standard output. CI
 * installs curl (with HTTP/2, nghttp2), so its absence fails the test rather than skipping it.
 */
final class Curl {

    /** curl's own limit on a whole transfer; the process is killed a little after it. */
    private static final int MAX_TIME_SECONDS = 30;
    private static final long KILL_AFTER_SECONDS = MAX_TIME_SECONDS + 15;

    private final Path dir;
    private int runs;

    /** @param dir where bodies and outputs go (a test's temporary directory) */
    Curl(Path dir) {
        this.dir = dir;
    }

    /** Fails unless curl runs here and speaks HTTP/2. */
    static void require() {
        String version;
        try {
            Process process = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("curl --version did not finish in 30 s");
            }
            version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            fail("these tests run curl, which cannot be started here (package curl): " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!version.contains("HTTP2")) {
            fail("this curl has no HTTP/2 (built without nghttp2):\n" + version);
        }
    }

    /** Runs {@code curl -sS --max-time 30 -o BODY -w '%{http_version} %{response_code}' ARGS...}. */
    Result run(String... args) throws IOException, InterruptedException {
        int run = ++runs;
        Path body = dir.resolve("curl-" + run + ".body");
        Path out = dir.resolve("curl-" + run + ".out");
        Path err = dir.resolve("curl-" + run + ".err");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", Integer.toString(MAX_TIME_SECONDS),
                "-o", body.toString(), "-w", "%{http_version} %{response_code}"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(KILL_AFTER_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("curl did not end in " + KILL_AFTER_SECONDS + " s, killed: " + String.join(" ", command));
        }
        String[] written = Files.readString(out).trim().split(" ");
        byte[] bytes = Files.exists(body) ? Files.readAllBytes(body) : new byte[0];
        return new Result(process.exitValue(), written[0], written.length > 1 ? Integer.parseInt(written[1]) : 0,
                bytes, Files.readString(err), String.join(" ", command));
    }

    /**
     * @param httpVersion what curl spoke: {@code 2}, {@code 1.1}, or {@code 0} when nothing was received
     * @param status the response's status, 0 when none was received
     */
    record Result(int exitCode, String httpVersion, int status, byte[] body, String stderr, String command) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return command + " -> exit " + exitCode + ", HTTP/" + httpVersion + " " + status + ", "
                    + body.length + " bytes" + (stderr.isBlank() ? "" : ", stderr: " + stderr.strip());
        }
    }
}
